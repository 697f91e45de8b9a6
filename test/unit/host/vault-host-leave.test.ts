// The host's Leave (issue 3): the engine has its section decide the Leave; the host then stops it
// and keeps it stopped, across a restart too, with a notice saying how to farm again; Resume starts
// it again (under the next name the engine took).
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SETTINGS_FILE } from '../../../node-core/host/settings.ts'
import { createVaultHost, type VaultHost } from '../../../node-core/host/vault-host.ts'

const hostOn = (dataDir: string): VaultHost => createVaultHost({
  dataDir,
  // A configured network, so no embedded one starts; the scripted engine never dials it.
  bootstrap: ['/ip4/127.0.0.1/tcp/9/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'],
  engineEntry: new URL('./fixtures/scripted-engine.ts', import.meta.url).pathname,
  restart: { crashLoopCount: 1 }
})

describe('VaultHost leave', () => {
  let dir = ''
  const hosts: VaultHost[] = []

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'vault-host-leave-')) })

  after(async () => {
    for (const host of hosts) await host.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('stops the vault once its Leave is decided, and says how to farm again', async () => {
    const host = hostOn(dir)
    hosts.push(host)
    await host.start()
    assert.equal((await host.getStatus({})).state, 'active')
    const status = await host.leave({})
    assert.equal(status.state, 'left')
    assert.equal(status.engine.pid, null)
    const notice = status.notices.find(item => item.id === 'vault-left')
    assert.ok(notice !== undefined, JSON.stringify(status.notices))
    assert.equal(notice.severity, 'info')
    assert.equal(notice.fix, 'To farm again, press Resume: it joins under a new name, at age 3.')
    assert.match(status.recentEvents.find(event => event.kind === 'vault:left')?.message ?? '', /left the network by its section's Leave decision; .* at age 3$/)
    const saved: unknown = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'))
    assert.deepEqual(saved, { version: 1, paused: false, left: { at: notice.since, rejoinAge: 3 } })
    await host.stop()
  })

  it('keeps it stopped when the host starts again, until Resume starts it', async () => {
    const host = hostOn(dir)
    hosts.push(host)
    await host.start()
    const stopped = await host.getStatus({})
    assert.equal(stopped.state, 'left')
    assert.equal(stopped.engine.pid, null)
    assert.ok(stopped.notices.some(item => item.id === 'vault-left'))
    const resumed = await host.resume({})
    assert.equal(resumed.state, 'active')
    assert.ok(!resumed.notices.some(item => item.id === 'vault-left'))
    assert.match(resumed.recentEvents.find(event => event.kind === 'vault:rejoin')?.message ?? '', /asks to join under a new name, at age 3$/)
    const saved: unknown = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'))
    assert.deepEqual(saved, { version: 1, paused: false })
  })
})
