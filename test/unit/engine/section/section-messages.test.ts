// The wire format of /vault/section/1.0.0: every message parsed with its schema, bounded in size,
// and a DKG message bound to the run its header names.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_HELLO_NAMES, MAX_SECTION_FRAME_BYTES } from '../../../../node-core/engine/section/constants.ts'
import { keyingSession, sessionMismatch } from '../../../../node-core/engine/section/keying-run.ts'
import {
  decodeSectionMessage, encodeSectionMessage, MalformedSectionMessageError, SectionFrameTooLargeError, UnknownSectionMessageError, type SectionMessage
} from '../../../../node-core/engine/section/section-messages.ts'
import { frameOffence } from '../../../../node-core/engine/section/section-service.ts'

const name = (i: number): string => i.toString(16).padStart(64, '0')
const elders = Array.from({ length: 7 }, (_, i) => name(i + 1))
const keying = { prefix: '', attempt: 0, elders }

function decodeJson (value: unknown): SectionMessage {
  return decodeSectionMessage(new TextEncoder().encode(JSON.stringify(value)))
}

describe('section messages', () => {
  it('round-trip through the codec', () => {
    const messages: SectionMessage[] = [
      { type: 'hello', vaults: [name(1), name(2)] },
      { type: 'join-request', prefix: '' },
      { type: 'dkg-round', keying, round: 'complaining', messages: [{ type: 'dkg-complaint', session: keyingSession(keying), complainer: 1, dealer: 2 }] },
      { type: 'dkg-round', keying, round: 'dealing', messages: [], founders: [name(9)] }
    ]
    for (const message of messages) assert.deepEqual(decodeSectionMessage(encodeSectionMessage(message)), message)
  })

  it('refuses a frame over the limit before parsing it, and names the offence', () => {
    assert.throws(() => decodeSectionMessage(new Uint8Array(MAX_SECTION_FRAME_BYTES + 1)), SectionFrameTooLargeError)
    assert.equal(frameOffence(new SectionFrameTooLargeError('x')), 'oversize')
    assert.equal(frameOffence(Object.assign(new Error('x'), { name: 'InvalidDataLengthError' })), 'oversize')
  })

  it('refuses bytes that are not UTF-8 JSON, types that are no type name, extra fields and bad names as malformed', () => {
    assert.throws(() => decodeSectionMessage(Uint8Array.of(0xff, 0xfe)), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 'Gossip!' }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 42 }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ vaults: [] }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 'join-request', prefix: '', age: 200 }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 'hello', vaults: ['ABC'] }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 'hello', vaults: [name(1), name(1)] }), /distinct/)
    assert.throws(() => decodeJson({ type: 'hello', vaults: Array.from({ length: MAX_HELLO_NAMES + 1 }, (_, i) => name(i)) }), MalformedSectionMessageError)
    assert.throws(() => decodeJson({ type: 'decision', decision: { proposal: {}, sectionKey: '00', signature: '00' } }), MalformedSectionMessageError)
    assert.equal(frameOffence(new MalformedSectionMessageError('x')), 'malformed')
    assert.equal(frameOffence(Object.assign(new Error('x'), { name: 'UnexpectedEOFError' })), 'truncated')
    assert.equal(frameOffence(new Error('connection reset')), undefined)
  })

  it('ignores a message of a type a later version added, without holding it against the sender', () => {
    assert.throws(() => decodeJson({ type: 'gossip', anything: [1, 2] }), { name: UnknownSectionMessageError.NAME, message: 'a section message of type "gossip", which this version does not know' })
    assert.equal(frameOffence(new UnknownSectionMessageError('x')), undefined)
  })

  it('lets only a dealing batch name founders, and at most 7 elders run a DKG', () => {
    assert.throws(() => decodeJson({ type: 'dkg-round', keying, round: 'justifying', messages: [], founders: [name(9)] }), /only a dealing batch names founders/)
    assert.throws(() => decodeJson({ type: 'dkg-round', keying: { ...keying, elders: [...elders, name(8)] }, round: 'dealing', messages: [] }), MalformedSectionMessageError)
  })

  it('binds the DKG messages in a batch to the run its header names: another session is a mismatch', () => {
    const session = keyingSession(keying)
    assert.match(session, /^[0-9a-f]{64}$/)
    assert.notEqual(keyingSession({ ...keying, attempt: 1 }), session)
    assert.notEqual(keyingSession({ ...keying, elders: [...elders].reverse() }), session)
    const complaint = { type: 'dkg-complaint' as const, session, complainer: 1, dealer: 2 }
    assert.equal(sessionMismatch({ type: 'dkg-round', keying, round: 'complaining', messages: [complaint] }), undefined)
    assert.match(sessionMismatch({ type: 'dkg-round', keying: { ...keying, attempt: 2 }, round: 'complaining', messages: [complaint] }) ?? '', /does not match/)
  })
})
