import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chainLinkMessage, isKnownKey, SectionChain, verifyChain, type ChainVerification, type SectionChainData } from '../../../../node-core/section/crypto/section-chain.ts'
import {
  combineShares, dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex, signatureToHex, signShare,
  type G1Point, type G2Point, type PublicKeySet, type SecretKeyShare
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from './seeded-random.ts'

interface SectionKey { set: PublicKeySet, shares: SecretKeyShare[], key: G1Point }

function sectionKey (seed: string): SectionKey {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom(seed) })
  return { set: dealt.publicKeySet, shares: dealt.secretKeyShares, key: groupPublicKey(dealt.publicKeySet) }
}

/** The old elders' handover: 5 of them sign the new key, and their shares are combined. */
function handover (signers: SectionKey, previous: G1Point, next: G1Point, elders = [1, 3, 4, 6, 7]): G2Point {
  const message = chainLinkMessage(previous, next)
  return combineShares(elders.map(i => signShare(signers.shares[i - 1] ?? assert.fail(), message)), 4)
}

function failure (result: ChainVerification): Exclude<ChainVerification, { ok: true }> {
  assert.equal(result.ok, false)
  if (result.ok) assert.fail()
  return result
}

describe('section chain', () => {
  const genesis = sectionKey('genesis')
  const second = sectionKey('second')
  const third = sectionKey('third')
  const foreign = sectionKey('foreign')
  const valid: SectionChainData = {
    genesisKey: publicKeyToHex(genesis.key),
    links: [
      { key: publicKeyToHex(second.key), signature: signatureToHex(handover(genesis, genesis.key, second.key)) },
      { key: publicKeyToHex(third.key), signature: signatureToHex(handover(second, second.key, third.key, [2, 3, 4, 5, 6])) }
    ]
  }

  it('verifies keys each signed by the threshold of the previous elders, back to genesis', () => {
    const result = verifyChain(genesis.key, valid)
    assert.ok(result.ok)
    const chain = result.chain
    assert.equal(chain.keys.length, 3)
    assert.ok(chain.genesisKey.equals(genesis.key))
    assert.ok(chain.latestKey.equals(third.key))
    assert.equal(isKnownKey(chain, second.key), true)
    assert.equal(chain.isKnownKey(third.key), true)
    assert.equal(isKnownKey(chain, foreign.key), false)
    assert.deepEqual(chain.toData(), valid)
  })

  it('rejects a forged link signed by a key outside the chain, naming the link', () => {
    const forged: SectionChainData = {
      ...valid,
      links: [valid.links[0] ?? assert.fail(), { key: publicKeyToHex(third.key), signature: signatureToHex(handover(foreign, second.key, third.key)) }]
    }
    const problem = failure(verifyChain(genesis.key, forged))
    assert.equal(problem.problem, 'bad-signature')
    assert.equal(problem.link, 2)
    assert.match(problem.reason, /^link 2: the signature over key [0-9a-f]{16}\.\.\. does not verify under the previous section key [0-9a-f]{16}\.\.\./)
  })

  it('rejects a signature of the previous key over another handover', () => {
    // The genesis elders signed a handover to the foreign key; it cannot pass for one to `second`.
    const moved: SectionChainData = { ...valid, links: [{ key: publicKeyToHex(second.key), signature: signatureToHex(handover(genesis, genesis.key, foreign.key)) }] }
    assert.equal(failure(verifyChain(genesis.key, moved)).problem, 'bad-signature')
  })

  it('rejects a chain from another genesis, a repeated key, and malformed data', () => {
    assert.equal(failure(verifyChain(foreign.key, valid)).problem, 'genesis-mismatch')
    const back: SectionChainData = { ...valid, links: [...valid.links, { key: publicKeyToHex(genesis.key), signature: valid.links[0]?.signature ?? '' }] }
    const repeated = failure(verifyChain(genesis.key, back))
    assert.equal(repeated.problem, 'repeated-key')
    assert.equal(repeated.link, 3)
    assert.equal(failure(verifyChain(genesis.key, { ...valid, links: [{ key: valid.genesisKey.toUpperCase(), signature: 'ab' }] })).problem, 'malformed')
    assert.equal(failure(verifyChain(genesis.key, { genesisKey: valid.genesisKey })).problem, 'malformed')
    const notAPoint = failure(verifyChain(genesis.key, { ...valid, links: [{ key: 'ff'.repeat(48), signature: valid.links[0]?.signature ?? '' }] }))
    assert.equal(notAPoint.problem, 'bad-key')
    assert.equal(notAPoint.link, 1)
  })

  it('extends a verified chain only with a valid handover', () => {
    const chain = SectionChain.fromGenesis(genesis.key)
    assert.equal(chain.isKnownKey(second.key), false)
    const forged = chain.extend(second.key, handover(foreign, genesis.key, second.key))
    assert.equal(failure(forged).link, 1)
    const extended = chain.extend(second.key, handover(genesis, genesis.key, second.key))
    assert.ok(extended.ok)
    assert.equal(extended.chain.isKnownKey(second.key), true)
    // The original chain is unchanged.
    assert.equal(chain.keys.length, 1)
  })
})
