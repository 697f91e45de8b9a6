import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { auditFrameOffence } from '../../../../node-core/engine/audit/audit-errors.ts'
import {
  AUDIT_OUTCOMES, decodeAuditAnswer, decodeAuditChallenge, encodeAuditMessage, failureKindOf, memberNameOf, type AuditChallenge
} from '../../../../node-core/engine/audit/audit-messages.ts'
import { MAX_AUDIT_FRAME_BYTES } from '../../../../node-core/engine/audit/constants.ts'
import { FAILURE_KINDS } from '../../../../node-core/section/economy/dysfunction.ts'
import { testPeer } from './memory-network.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const challenge: AuditChallenge = { type: 'challenge', address: 'ab'.repeat(32), nonce: '01'.repeat(32) }

describe('audit messages', () => {
  it('round-trips a challenge and each kind of answer', () => {
    assert.deepEqual(decodeAuditChallenge(encodeAuditMessage(challenge)), challenge)
    for (const answer of [{ type: 'proof', proof: 'cd'.repeat(32) }, { type: 'missing' }, { type: 'refused' }] as const) {
      assert.deepEqual(decodeAuditAnswer(encodeAuditMessage(answer)), answer)
    }
  })

  it('rejects frames that are not exactly a message, naming what is wrong', () => {
    const invalid: Array<[Uint8Array, RegExp]> = [
      [bytes('not json'), /not UTF-8 JSON/],
      [Uint8Array.of(0xff, 0xfe), /not UTF-8 JSON/],
      [bytes(JSON.stringify({ ...challenge, address: 'AB'.repeat(32) })), /chunk address/],
      [bytes(JSON.stringify({ ...challenge, nonce: '01'.repeat(31) })), /nonce/],
      [bytes(JSON.stringify({ ...challenge, extra: 1 })), /invalid audit challenge/],
      [bytes(JSON.stringify({ type: 'proof', proof: 'cd'.repeat(32) })), /invalid audit challenge/]
    ]
    for (const [frame, message] of invalid) assert.throws(() => decodeAuditChallenge(frame), { name: 'MalformedAuditMessageError', message })
    assert.throws(() => decodeAuditAnswer(bytes(JSON.stringify({ type: 'proof', proof: 'cd'.repeat(33) }))), { name: 'MalformedAuditMessageError', message: /storage proof/ })
    assert.throws(() => decodeAuditAnswer(bytes(JSON.stringify({ type: 'missing', reason: 'x' }))), { name: 'MalformedAuditMessageError' })
    assert.throws(() => decodeAuditAnswer(new Uint8Array(MAX_AUDIT_FRAME_BYTES + 1)), { name: 'AuditFrameTooLargeError' })
  })

  it('maps every outcome to the failure kind dysfunction tracking takes', () => {
    assert.deepEqual(AUDIT_OUTCOMES.map(failureKindOf), [undefined, 'wrong-data', 'missed-audit', 'unresponsive'])
    for (const outcome of AUDIT_OUTCOMES) {
      const kind = failureKindOf(outcome)
      assert.ok(kind === undefined || FAILURE_KINDS.includes(kind))
    }
  })

  it('classifies unreadable frames as trust offences, and other errors as nobody\'s', () => {
    const named = (name: string): Error => Object.assign(new Error('x'), { name })
    assert.equal(auditFrameOffence(named('InvalidDataLengthError')), 'oversize')
    assert.equal(auditFrameOffence(named('AuditFrameTooLargeError')), 'oversize')
    assert.equal(auditFrameOffence(named('MalformedAuditMessageError')), 'malformed')
    assert.equal(auditFrameOffence(named('UnexpectedEOFError')), 'truncated')
    assert.equal(auditFrameOffence(named('AbortError')), undefined)
  })

  it('names a member by its ed25519 key in hex, as the section does', () => {
    const peer = testPeer('named')
    assert.equal(memberNameOf(peer), Buffer.from(peer.publicKey?.raw ?? []).toString('hex'))
    assert.match(memberNameOf(peer), /^[0-9a-f]{64}$/)
  })
})
