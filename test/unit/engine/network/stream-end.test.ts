// A stream that ends before its first byte (a peer done with it, or a busy peer's send that gave
// up) costs no local trust; a frame cut short still does, in the section and audit protocols alike.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { UnexpectedEOFError } from '@libp2p/utils'
import { isEndBeforeFrame } from '../../../../node-core/engine/network/stream-end.ts'
import { frameOffence } from '../../../../node-core/engine/section/section-service.ts'
import { auditFrameOffence } from '../../../../node-core/engine/audit/audit-errors.ts'

const empty = new UnexpectedEOFError('Unexpected EOF - stream closed while reading 0/1 bytes')
const cut = new UnexpectedEOFError('Unexpected EOF - read 10/1000 bytes before the stream closed')

describe('the end of a stream', () => {
  it('is clean before the first byte of a frame, and truncation within one', () => {
    assert.equal(isEndBeforeFrame(empty), true)
    assert.equal(isEndBeforeFrame(cut), false)
    assert.equal(isEndBeforeFrame(new Error('Unexpected EOF - stream closed while reading 0/1 bytes')), false, 'only lpStream\'s own error')
  })

  it('costs no trust when clean, and counts as truncated otherwise, in the section and audit protocols', () => {
    assert.equal(frameOffence(empty), undefined)
    assert.equal(frameOffence(cut), 'truncated')
    assert.equal(auditFrameOffence(empty), undefined)
    assert.equal(auditFrameOffence(cut), 'truncated')
  })
})
