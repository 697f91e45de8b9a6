import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js'
import {
  combineShares, dealSharesAsTrustedDealer, groupPublicKey, hashMessage, NotEnoughSharesError, publicKeyFromBytes,
  publicKeyFromSecret, publicKeySetFromBytes, publicKeySetToBytes, publicKeyShare, publicKeyToHex,
  SECTION_SIGNATURE_DST, signatureFromBytes, signatureToBytes, signatureToHex, signShare, verify, verifyShare
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { scalarFromBytes } from '../../../../node-core/section/crypto/scalar.ts'
import { seededRandom, subsets } from './seeded-random.ts'

// Known answer, single key: Chia-Network/bls-signatures src/test.cpp lines 249-260 at ee71adc0,
// as quoted by maidsafe/blsttc src/lib.rs `test_interoperability` (commit 108c02cd): the basic
// scheme with DST BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_, key in G1, signature in G2.
const CHIA_SECRET_KEY = Uint8Array.from([74, 53, 59, 227, 218, 192, 145, 160, 167, 230, 64, 98, 3, 114, 245, 225, 226, 228, 64, 23, 23, 193, 231, 156, 172, 111, 251, 168, 246, 144, 86, 4])
const CHIA_PUBLIC_KEY = '85695fcbc06cc4c4c9451f4dce21cbf8de3e5a13bf48f44cdbb18e2038ba7b8bb1632d7911ef1e2e08749bddbf165352'
const CHIA_MESSAGE = Uint8Array.from([7, 8, 9])
const CHIA_SIGNATURE = bytesToHex(Uint8Array.from([
  184, 250, 166, 214, 163, 136, 28, 159, 219, 173, 128, 59, 23, 13, 112, 202, 92, 191, 30, 107, 165, 165, 134, 38, 45, 243, 104, 199, 90, 205, 29, 31,
  250, 58, 182, 238, 33, 199, 31, 132, 68, 148, 101, 152, 120, 245, 235, 35, 12, 149, 141, 213, 118, 176, 139, 133, 100, 170, 210, 238, 9, 146, 232, 90,
  30, 86, 95, 41, 156, 213, 58, 40, 93, 231, 41, 147, 127, 112, 220, 23, 106, 31, 1, 67, 33, 41, 187, 43, 148, 211, 213, 3, 31, 128, 101, 161
]))

// Known answers, public key sets: maidsafe/blsttc src/lib.rs `vectors_public_key_set_to_from_bytes`
// (commit 108c02cd). The set is the commitments (constant term first); blsttc's share i is our index i + 1.
const BLSTTC_PUBLIC_KEY_SETS = [
  ['b89f8983d73b6ef75f07f90bc5a58d501b9204f9f304fc9354a66271944b25460845b22d3759c2c8889be552ae23617096b5bfcf90273c61ad102f97c66155de2d9eee3b803e83118095d8b0955f177b105371481e8d9b18d8f610a05b94c1cf',
    'b89f8983d73b6ef75f07f90bc5a58d501b9204f9f304fc9354a66271944b25460845b22d3759c2c8889be552ae236170',
    'a0f7640853a86e68ef7ac705b6f5bdd15bb4656dbe9578b24b2cceb1ee8576646de140a417eb687e7dbe1a1bfff4f5cd',
    '8c2e9d7c02fb3ec87548cc2456904899b9d100c798ae2e08461dc8471b907664e38af99701adaaf6b604367ce70a72ce',
    '851d512dfbc25d2200982d70b107dad84bfef82d6f9fe9ce9c7bef7917755e3b2e504324ba2b7ed233b77f9c825188e8'],
  ['9455aa0495c1b0706507dd09531c71940e4cfeca1d5533dc096f4d5f045ba02f362790486e44e9d4a204938c65bd45208d19e0f29c53f6a1491c5aa24c4095759b57acccf1b801e5ea0270dac3c1e0d24a1058cbc4d8a3f185c1e87cefdaaa00',
    '9455aa0495c1b0706507dd09531c71940e4cfeca1d5533dc096f4d5f045ba02f362790486e44e9d4a204938c65bd4520',
    '881ffed3cc7a51355ffb1a99928ddfa16fb739ee7d4194e94e614ff0144d9978270cd2ffc0d2f95a664d450c4a7890c5',
    'b06db35fe602cbe651667aef2a77f53af1e8a4abb8764cec021d0aeac77728a5accc519bcfb07b609874fa76bd36452c',
    '856bb79f082919dfe2a4601765c2d6094ff122f494db7593a3eab2340136a50d7ad8ba20b09367c6c2b87a543cfee014'],
  ['afddb9cb9b636f176fd3e4d66ebf1d5e1b8feb0e43723e10fb4e4bc00bbbc3d29d6f6c8d7beca65fee2c89bd54e79e00a151ba6cea3fbe4b84bf14e99ef83edc1a805305ddeb998b93cb30c965abac057bd2dbfd73a00277638ec98da02b770c',
    'afddb9cb9b636f176fd3e4d66ebf1d5e1b8feb0e43723e10fb4e4bc00bbbc3d29d6f6c8d7beca65fee2c89bd54e79e00',
    'af121474a59ff060cb6b7862431cfc4ff6188c88120e0f686c790401d716ea6cd46a08201fcf88a0e96e324fcf08a25f',
    'b7ce6b16cfed4d94e95478902e64920bf95e84848bc471b569c547a4d59265be3865f6f1de40720045446ad9cd15b5ba',
    'a08b1043e38862e9442574d0afd1ed47c197d1dec2f0600edfedbb9e45cfac07095e15ddc8c6b91d0657272bb990d3e7'],
  ['8a4f064135d1a26d71b77f8d3f3a611e8f4de6489afb5b99e567aa6e93ee6a67f1e8fdde8105080382c822a52cf989ad833106149091a207a0e0fd3353e1a2c6dbe0147538a35b562e9b779252e8707c3cd98759a18a1c55cc7eb0f9f8440664',
    '8a4f064135d1a26d71b77f8d3f3a611e8f4de6489afb5b99e567aa6e93ee6a67f1e8fdde8105080382c822a52cf989ad',
    '907ec2454a752d18a172cb7c99d5f7952a558bdbd2675c107aeb84f0281f39cf72022e3ec26d05e86809ee0e2ebe352a',
    '8bd292ce33c1bcec80ce6cf029aeac292d9563d6e718fdcd8573188f88364442f2a8d51f1124b69c48fe5adc77512800',
    'aa4f3dbd12d6184bb5426187e46d20df9c160b4c5f9028b73fc904c988405e8655f1eaf979992a163d03d601f39efce1']
]

const message = new TextEncoder().encode('section decision: join 5a...')

describe('threshold BLS known answers', () => {
  it('signs and verifies the Chia / blsttc single-key vector byte for byte', () => {
    assert.equal(SECTION_SIGNATURE_DST, 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_')
    const secret = scalarFromBytes(CHIA_SECRET_KEY)
    const publicKey = publicKeyFromSecret(secret)
    assert.equal(publicKeyToHex(publicKey), CHIA_PUBLIC_KEY)
    // A share with the whole key as its scalar signs exactly as the plain key does.
    const signature = signShare({ index: 1, scalar: secret }, CHIA_MESSAGE).signature
    assert.equal(signatureToHex(signature), CHIA_SIGNATURE)
    assert.equal(signatureToBytes(signature).length, 96)
    assert.equal(verify(publicKeyFromBytes(hexToBytes(CHIA_PUBLIC_KEY)), CHIA_MESSAGE, signatureFromBytes(hexToBytes(CHIA_SIGNATURE))), true)
    assert.equal(verify(publicKey, Uint8Array.from([7, 8, 10]), signature), false)
  })

  it('derives blsttc public key set shares from the commitments (known answers)', () => {
    for (const [set, key, ...shares] of BLSTTC_PUBLIC_KEY_SETS) {
      const publicKeySet = publicKeySetFromBytes(hexToBytes(set ?? ''))
      assert.equal(publicKeySet.threshold, 1)
      assert.equal(publicKeyToHex(groupPublicKey(publicKeySet)), key)
      assert.deepEqual(shares.map((_, i) => publicKeyToHex(publicKeyShare(publicKeySet, i + 1))), shares)
      assert.equal(bytesToHex(publicKeySetToBytes(publicKeySet)), set)
    }
  })
})

describe('threshold BLS, 5 of 7', () => {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('threshold-bls') })
  const hashed = hashMessage(message)
  const shares = dealt.secretKeyShares.map(share => signShare(share, hashed))

  it('gives each participant a secret share matching its public key share', () => {
    assert.equal(dealt.publicKeySet.threshold, 4)
    assert.equal(dealt.publicKeySet.commitments.length, 5)
    assert.ok(groupPublicKey(dealt.publicKeySet).equals(publicKeyFromSecret(dealt.secret)))
    for (const share of dealt.secretKeyShares) assert.ok(publicKeyFromSecret(share.scalar).equals(publicKeyShare(dealt.publicKeySet, share.index)))
  })

  it('verifies each signature share under its own public key share only', () => {
    for (const share of shares.slice(0, 2)) {
      assert.equal(verifyShare(publicKeyShare(dealt.publicKeySet, share.index), hashed, share), true)
    }
    assert.equal(verifyShare(publicKeyShare(dealt.publicKeySet, 2), hashed, { index: 2, signature: shares[0]?.signature ?? assert.fail() }), false)
  })

  it('combines any 5 of the 7 shares into the one signature of the whole key, which verifies', () => {
    const master = signShare({ index: 1, scalar: dealt.secret }, hashed).signature
    const fives = subsets(shares, 5)
    assert.equal(fives.length, 21)
    for (const five of fives) assert.ok(combineShares(five, 4).equals(master), `indices ${five.map(s => s.index).join(',')}`)
    // Order and surplus shares do not matter either.
    assert.ok(combineShares([...shares].reverse(), 4).equals(master))
    assert.equal(verify(groupPublicKey(dealt.publicKeySet), message, master), true)
    assert.equal(verify(groupPublicKey(dealt.publicKeySet), new TextEncoder().encode('another message'), master), false)
  })

  it('refuses to combine 4 shares, counting a repeated share once', () => {
    const four = shares.slice(0, 4)
    assert.throws(() => combineShares(four, 4), (err: unknown) => err instanceof NotEnoughSharesError && err.name === 'NotEnoughSharesError' && /needs 5 distinct signature shares, got 4/.test(err.message))
    assert.throws(() => combineShares([...four, ...four], 4), NotEnoughSharesError)
    // Had 4 shares been enough, interpolating them would give the key's signature.
    const fourAsThreshold3 = combineShares(four, 3)
    assert.equal(verify(groupPublicKey(dealt.publicKeySet), hashed, fourAsThreshold3), false)
  })

  it('yields a signature that does not verify when one of the 5 shares is bad', () => {
    const other = signShare(dealt.secretKeyShares[4] ?? assert.fail(), new TextEncoder().encode('another message'))
    assert.equal(verifyShare(publicKeyShare(dealt.publicKeySet, 5), hashed, other), false)
    const combined = combineShares([...shares.slice(0, 4), other], 4)
    assert.equal(verify(groupPublicKey(dealt.publicKeySet), hashed, combined), false)
    assert.throws(() => combineShares([...shares.slice(0, 5), other], 4), { name: 'RangeError', message: /two different signatures for index 5/ })
  })
})

describe('threshold BLS encodings', () => {
  it('uses 48-byte keys and 96-byte signatures, and refuses the identity and malformed points', () => {
    const G1 = bls12_381.G1.Point
    const G2 = bls12_381.G2.Point
    assert.throws(() => publicKeyFromBytes(G1.ZERO.toBytes()), { name: 'RangeError', message: /identity/ })
    assert.throws(() => signatureFromBytes(G2.ZERO.toBytes()), { name: 'RangeError', message: /identity/ })
    assert.throws(() => publicKeyFromBytes(new Uint8Array(47)), RangeError)
    assert.throws(() => publicKeyFromBytes(new Uint8Array(48).fill(0xff)), { name: 'RangeError', message: /not a valid compressed G1 point/ })
    assert.throws(() => signatureFromBytes(new Uint8Array(96).fill(0x9f)), { name: 'RangeError', message: /not a valid compressed G2 point/ })
    assert.throws(() => publicKeySetFromBytes(new Uint8Array(50)), RangeError)
    assert.equal(verify(G1.ZERO, message, G2.BASE), false)
    assert.throws(() => verify(G2.BASE as never, message, G2.BASE), TypeError)
  })
})
