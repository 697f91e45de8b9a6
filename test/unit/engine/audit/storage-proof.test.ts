import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { STORAGE_PROOF_NONCE_BYTES, storageProof, verifyStorageProof } from '../../../../node-core/engine/audit/storage-proof.ts'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('storage proof', () => {
  it('is SHA-256(nonce || chunk): the FIPS 180-2 two-block vector split after 32 bytes', () => {
    // FIPS 180-2, Appendix B.2: SHA-256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").
    const nonce = ascii('abcdbcdecdefdefgefghfghighijhijk')
    const chunk = ascii('ijkljklmklmnlmnomnopnopq')
    assert.equal(Buffer.from(storageProof(nonce, chunk)).toString('hex'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  })

  it('depends on every byte of nonce and chunk', () => {
    const nonce = randomBytes(STORAGE_PROOF_NONCE_BYTES)
    const chunk = randomBytes(1000)
    const proof = storageProof(nonce, chunk)
    assert.equal(Buffer.from(proof).toString('hex'), createHash('sha256').update(nonce).update(chunk).digest('hex'))
    const otherNonce = Uint8Array.from(nonce)
    otherNonce[31] = (otherNonce[31] ?? 0) ^ 1
    const otherChunk = Uint8Array.from(chunk)
    otherChunk[999] = (otherChunk[999] ?? 0) ^ 1
    assert.notDeepEqual(storageProof(otherNonce, chunk), proof)
    assert.notDeepEqual(storageProof(nonce, otherChunk), proof)
  })

  it('verifies a right proof and refuses a wrong nonce, chunk, truncated or altered proof', () => {
    const nonce = randomBytes(STORAGE_PROOF_NONCE_BYTES)
    const chunk = randomBytes(4096)
    const proof = storageProof(nonce, chunk)
    assert.equal(verifyStorageProof(proof, nonce, chunk), true)
    assert.equal(verifyStorageProof(proof, randomBytes(STORAGE_PROOF_NONCE_BYTES), chunk), false)
    assert.equal(verifyStorageProof(proof, nonce, chunk.subarray(1)), false)
    assert.equal(verifyStorageProof(proof.subarray(0, 31), nonce, chunk), false)
    const altered = Uint8Array.from(proof)
    altered[0] = (altered[0] ?? 0) ^ 0x80
    assert.equal(verifyStorageProof(altered, nonce, chunk), false)
  })

  it('refuses a nonce of the wrong length or kind, with the noble-style message', () => {
    assert.throws(() => storageProof(new Uint8Array(31), new Uint8Array(1)), { name: 'RangeError', message: '"nonce" expected Uint8Array of 32 bytes, got 31 bytes' })
    assert.throws(() => storageProof(new Uint8Array(33), new Uint8Array(1)), RangeError)
    assert.throws(() => storageProof(untyped('x'.repeat(32)), new Uint8Array(1)), { name: 'TypeError', message: '"nonce" expected Uint8Array of 32 bytes, got string' })
    assert.throws(() => storageProof(new Uint8Array(32), untyped([1, 2])), TypeError)
  })
})

function untyped (value: unknown): Uint8Array {
  return value as Uint8Array
}
