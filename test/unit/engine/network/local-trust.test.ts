import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { LocalTrust, OFFENCE_PENALTY, type TrustOffence } from '../../../../node-core/engine/network/local-trust.ts'

interface Lowered { peer: string, offence: TrustOffence, reason: string, score: number }

function recordLowered (trust: LocalTrust): Lowered[] {
  const seen: Lowered[] = []
  trust.addEventListener('trust:lowered', event => { seen.push(event.detail) })
  return seen
}

describe('LocalTrust', () => {
  it('starts every peer at 0 and not ignored', () => {
    const trust = new LocalTrust()
    assert.equal(trust.score('peer-a'), 0)
    assert.equal(trust.isIgnored('peer-a'), false)
  })

  it('charges bad data more than a failed request', () => {
    assert.ok(OFFENCE_PENALTY.oversize > OFFENCE_PENALTY['failed-request'])
    assert.ok(OFFENCE_PENALTY.malformed > OFFENCE_PENALTY['failed-request'])
    assert.ok(OFFENCE_PENALTY.mismatch > OFFENCE_PENALTY['failed-request'])
    assert.ok(OFFENCE_PENALTY.truncated > OFFENCE_PENALTY['failed-request'])
    for (const penalty of Object.values(OFFENCE_PENALTY)) assert.ok(penalty > 0)
  })

  it('lowers the score by the offence penalty and reports it with trust:lowered', () => {
    const trust = new LocalTrust()
    const lowered = recordLowered(trust)
    trust.penalize('peer-a', 'mismatch', 'bytes hash elsewhere')
    trust.penalize('peer-a', 'truncated', 'stream ended early')
    const expected = -OFFENCE_PENALTY.mismatch - OFFENCE_PENALTY.truncated
    assert.equal(trust.score('peer-a'), expected)
    assert.deepEqual(lowered, [
      { peer: 'peer-a', offence: 'mismatch', reason: 'bytes hash elsewhere', score: -OFFENCE_PENALTY.mismatch },
      { peer: 'peer-a', offence: 'truncated', reason: 'stream ended early', score: expected }
    ])
  })

  it('keeps scores per peer', () => {
    const trust = new LocalTrust()
    trust.penalize('peer-a', 'malformed', 'x')
    assert.equal(trust.score('peer-b'), 0)
    assert.equal(trust.isIgnored('peer-b'), false)
  })

  it('ignores a peer once its score reaches the threshold, and not before', () => {
    const trust = new LocalTrust({ ignoreBelow: -10 })
    trust.penalize('peer-a', 'oversize', 'x')
    assert.equal(trust.score('peer-a'), -5)
    assert.equal(trust.isIgnored('peer-a'), false)
    trust.penalize('peer-a', 'truncated', 'x')
    assert.equal(trust.isIgnored('peer-a'), false)
    trust.penalize('peer-a', 'truncated', 'x')
    assert.equal(trust.score('peer-a'), -11)
    assert.equal(trust.isIgnored('peer-a'), true)
  })

  it('ignores at exactly the threshold', () => {
    const trust = new LocalTrust({ ignoreBelow: -5 })
    trust.penalize('peer-a', 'mismatch', 'x')
    assert.equal(trust.isIgnored('peer-a'), true)
  })

  it('ignores a peer by default after four bad-data offences', () => {
    const trust = new LocalTrust()
    for (let i = 0; i < 3; i++) trust.penalize('peer-a', 'malformed', 'x')
    assert.equal(trust.isIgnored('peer-a'), false)
    trust.penalize('peer-a', 'malformed', 'x')
    assert.equal(trust.isIgnored('peer-a'), true)
  })

  it('recovers a penalized peer by the recovery step per success, never above 0', () => {
    const trust = new LocalTrust({ recoveryPerSuccess: 2 })
    trust.reward('peer-a')
    assert.equal(trust.score('peer-a'), 0)
    trust.penalize('peer-a', 'oversize', 'x')
    trust.reward('peer-a')
    assert.equal(trust.score('peer-a'), -3)
    trust.reward('peer-a')
    trust.reward('peer-a')
    assert.equal(trust.score('peer-a'), 0)
  })

  it('lets an ignored peer earn its way back only through rewards', () => {
    const trust = new LocalTrust({ ignoreBelow: -5, recoveryPerSuccess: 1 })
    trust.penalize('peer-a', 'mismatch', 'x')
    assert.equal(trust.isIgnored('peer-a'), true)
    trust.reward('peer-a')
    assert.equal(trust.score('peer-a'), -4)
    assert.equal(trust.isIgnored('peer-a'), false)
  })
})
