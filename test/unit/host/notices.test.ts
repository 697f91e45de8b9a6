import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildNotices, type NoticeInputs } from '../../../node-core/host/notices.ts'

const healthy: NoticeInputs = {
  state: 'active',
  peers: 4,
  store: { chunks: 1, bytes: 10, capacityBytes: 100, full: false, quarantined: 0 },
  restarts: 0,
  lastError: undefined,
  embedded: false,
  settingsProblem: undefined,
  now: 1000
}

const ids = (inputs: Partial<NoticeInputs>): string[] => buildNotices({ ...healthy, ...inputs }).map(notice => notice.id)

describe('buildNotices', () => {
  it('is empty for a healthy vault on a configured network', () => {
    assert.deepEqual(ids({}), [])
  })

  it('names each problem once, and every warning or critical notice says how to fix it', () => {
    assert.deepEqual(ids({ state: 'failed', lastError: { name: 'Error', message: 'EACCES' } }), ['engine-crash-loop'])
    assert.deepEqual(ids({ state: 'restarting' }), ['engine-restarting'])
    assert.deepEqual(ids({ state: 'paused' }), ['paused-by-owner'])
    assert.deepEqual(ids({ peers: 0 }), ['no-peers'])
    assert.deepEqual(ids({ store: { ...healthy.store, full: true, quarantined: 2 } }), ['store-full', 'store-corruption'])
    assert.deepEqual(ids({ embedded: true }), ['embedded-network'])
    const all = buildNotices({ ...healthy, state: 'failed', store: { ...healthy.store, full: true, quarantined: 1 }, lastError: { name: 'E', message: 'disk' } })
    for (const notice of all) assert.ok(notice.fix !== undefined && notice.fix.length > 0, notice.id)
    assert.match(all[0]?.detail ?? '', /disk/)
  })

  it('does not warn about peers while the engine is not running', () => {
    assert.deepEqual(ids({ state: 'starting', peers: 0 }), [])
  })
})
