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
  upgradeRequired: undefined,
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

  it('raises a critical upgrade-required notice naming the minimum versions, the cost and the fix, dated when a peer said so', () => {
    const [notice, ...rest] = buildNotices({ ...healthy, upgradeRequired: { minimum: ['/vault/chunks/2.0.0', '/vault/kad/1.0.0'], since: 400 } })
    assert.equal(rest.length, 0)
    assert.equal(notice?.id, 'upgrade-required')
    assert.equal(notice.severity, 'critical')
    assert.equal(notice.since, 400)
    assert.match(notice.detail, /\/vault\/chunks\/2\.0\.0, \/vault\/kad\/1\.0\.0/)
    assert.match(notice.detail, /not earning/)
    assert.match(notice.detail, /refuse/)
    assert.match(notice.fix ?? '', /upgrade pipeline/)
    assert.match(notice.fix ?? '', /desktop app/)
    assert.deepEqual(ids({ upgradeRequired: undefined }), [])
  })

  it('warns before an unsupported era takes effect and is critical once the vault has stopped for it, with the engine\'s reason', () => {
    const [soon] = buildNotices({ ...healthy, eraNotice: { level: 'warning', text: 'Upgrade required soon: era 2 from epoch 9' } })
    assert.equal(soon?.id, 'era-unsupported')
    assert.equal(soon.severity, 'warning')
    assert.equal(soon.detail, 'Upgrade required soon: era 2 from epoch 9')
    const [stopped] = buildNotices({ ...healthy, state: 'stopped', eraNotice: { level: 'error', text: 'Upgrade required: era 2 is active' } })
    assert.equal(stopped?.severity, 'critical')
    assert.match(stopped.title, /^Stopped: the network moved to an era this vault does not support$/)
    assert.match(stopped.fix ?? '', /latest verified release/)
  })

  it('does not warn about peers while the engine is not running', () => {
    assert.deepEqual(ids({ state: 'starting', peers: 0 }), [])
  })
})
