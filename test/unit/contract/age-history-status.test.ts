// The age history in the status (issue 3 deliver 7): carried by the engine and the host, and
// absent from an older engine's or host's status, which then parses with an empty history.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_AGE_HISTORY, VaultStatusSchema, type AgeHistoryEntry } from '../../../contract/host-api.ts'
import { EngineStatusSchema } from '../../../node-core/engine/rpc/engine-rpc.ts'
import { sampleStatus } from '../../helpers/sample-status.ts'

const HISTORY: AgeHistoryEntry[] = [
  { at: null, name: 'aa'.repeat(31) + '05', age: 5, reason: 'earlier' },
  { at: 1_700_000_000_000, name: 'bb'.repeat(31) + '06', age: 6, reason: 'relocated' },
  { at: 1_700_000_100_000, name: 'cc'.repeat(31) + '03', age: 3, reason: 'demoted' }
]

function engineStatus (): Record<string, unknown> {
  const { name, age, engineVersion, protocols, peers, versions, store } = sampleStatus()
  return { name, age, engineVersion, protocols, peers, listenAddrs: [], paused: false, versions, store }
}

describe('ageHistory in the status', () => {
  it('an engine status carries it, and one from an older engine parses with none', () => {
    assert.deepEqual(EngineStatusSchema.parse({ ...engineStatus(), ageHistory: HISTORY }).ageHistory, HISTORY)
    assert.deepEqual(EngineStatusSchema.parse(engineStatus()).ageHistory, [])
  })

  it('a vault status carries it, and one from an older host parses with none', () => {
    const { ageHistory: _dropped, ...older } = sampleStatus()
    assert.deepEqual(VaultStatusSchema.parse(older).ageHistory, [])
    assert.deepEqual(VaultStatusSchema.parse({ ...older, ageHistory: HISTORY }).ageHistory, HISTORY)
  })

  it('refuses entries that are not names, ages or reasons it knows', () => {
    const entry = HISTORY[1]
    assert.ok(entry !== undefined)
    for (const bad of [{ ...entry, name: 'BB'.repeat(32) }, { ...entry, age: 256 }, { ...entry, reason: 'moved' }, { ...entry, at: -1 }, { ...entry, extra: 1 }]) {
      assert.equal(VaultStatusSchema.safeParse({ ...sampleStatus(), ageHistory: [bad] }).success, false, JSON.stringify(bad))
      assert.equal(EngineStatusSchema.safeParse({ ...engineStatus(), ageHistory: [bad] }).success, false, JSON.stringify(bad))
    }
    const tooLong = Array.from({ length: MAX_AGE_HISTORY + 1 }, () => entry)
    assert.equal(EngineStatusSchema.safeParse({ ...engineStatus(), ageHistory: tooLong }).success, false)
  })
})
