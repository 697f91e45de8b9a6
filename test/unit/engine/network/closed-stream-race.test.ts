import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isClosedStreamRace } from '../../../../node-core/engine/network/closed-stream-race.ts'

function named (name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

describe('the closed-stream race', () => {
  it('is yamux\'s write to a stream whose connection closed, and nothing else', () => {
    assert.equal(isClosedStreamRace(named('StreamStateError', 'Cannot write to a stream that is closed')), true)
    assert.equal(isClosedStreamRace(named('StreamStateError', 'Cannot read from a stream that is reset')), false)
    assert.equal(isClosedStreamRace(named('TypeError', 'Cannot write to a stream that is closed')), false)
    assert.equal(isClosedStreamRace(new Error('boom')), false)
  })
})
