// The host's pause-and-fix verbs (issue 3, deliver 6) go to the engine: its status comes back as
// the host's, with the section's standing and the pause notice, and its errors keep their names.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { dispatchHostRequest } from '../../../contract/host-api.ts'
import { createVaultHost, type VaultHost } from '../../../node-core/host/vault-host.ts'

describe('VaultHost pause-and-fix verbs', () => {
  let dir = ''
  let host: VaultHost

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-host-standing-'))
    host = createVaultHost({
      dataDir: dir,
      // A configured network, so no embedded one starts; the scripted engine never dials it.
      bootstrap: ['/ip4/127.0.0.1/tcp/9/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'],
      engineEntry: new URL('./fixtures/scripted-engine.ts', import.meta.url).pathname,
      restart: { crashLoopCount: 1 }
    })
    await host.start()
  })

  after(async () => {
    await host.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('runSelfCheck returns the engine\'s standing, with its self-check and the pause notice', async () => {
    const before = await host.getStatus({})
    assert.equal(before.section, null)
    assert.ok(!before.notices.some(notice => notice.id === 'section-paused'))
    const status = await host.runSelfCheck({})
    assert.equal(status.section?.standing.state, 'paused')
    assert.equal(status.section.standing.selfCheck?.passed, false)
    const notice = status.notices.find(item => item.id === 'section-paused')
    assert.ok(notice !== undefined, JSON.stringify(status.notices))
    assert.equal(notice.severity, 'critical')
    assert.match(notice.detail, /within 58 churns/)
    assert.equal(notice.fix, 'The drive is read-only: reconnect it, then press Reconnect.')
    // The host keeps the reply as its status.
    assert.equal((await host.getStatus({})).section?.standing.state, 'paused')
  })

  it('reconnect rejects with the engine\'s error name and message, across the contract too', async () => {
    await assert.rejects(host.reconnect({}), { name: 'SelfCheckFailedError', message: /The drive is read-only/ })
    const reply = await dispatchHostRequest(host, { verb: 'reconnect', params: {} })
    assert.deepEqual(reply, { ok: false, error: { name: 'SelfCheckFailedError', message: 'the self-check failed: The drive is read-only: reconnect it, then press Reconnect.' } })
  })
})
