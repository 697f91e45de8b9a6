// Switch and rollback with real engines (issue 5, deliver 5): the app's own engine is live; each
// candidate is that engine with one change. A good one takes over the live data and serves the
// same chunks; one that crashes at start or loses the identity is rolled back automatically, and
// the vault then serves the same data with the same identity file, byte for byte.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { IDENTITY_FILE } from '../../../../node-core/engine/identity/identity-file.ts'
import { ENGINE_VERSION } from '../../../../node-core/engine/version.ts'
import { EngineSwitcher } from '../../../../node-core/upgrade/switch/engine-switcher.ts'
import { buildEngineCandidate, ENGINE_ENTRY } from '../../../helpers/engine-candidates.ts'
import { BUILT_IN, startLiveVault, type LiveVault } from './live-vault.ts'

const HEALTH_WINDOW_MS = 1500
const CREATE_VAULT = 'const open = async (): Promise<Vault> => await createVault({'

describe('switching the live engine', { timeout: 240_000 }, () => {
  let dir = ''
  let live: LiveVault
  let switcher: EngineSwitcher
  let stored: Uint8Array[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engine-switch-'))
    live = await startLiveVault(dir)
    switcher = new EngineSwitcher({ supervisor: live.supervisor }, { dataDir: live.dataDir, current: BUILT_IN, healthWindowMs: HEALTH_WINDOW_MS, drainGraceMs: 50 })
    stored = await live.put(6)
  })
  after(async () => {
    await switcher.stop()
    await live.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('switches to a good candidate that serves the same chunks, reports its downtime, and rolls back by hand', async () => {
    const before = live.status()
    const good = await buildEngineCandidate('good', {
      file: join('node-core', 'engine', 'version.ts'),
      find: `ENGINE_VERSION = '${ENGINE_VERSION}'`,
      replace: `ENGINE_VERSION = '${ENGINE_VERSION}-good'`
    }, dir)
    const outcome = await switcher.switchTo({ ...good, engineVersion: `${ENGINE_VERSION}-good` })
    assert.equal(outcome.kind, 'switched', JSON.stringify(outcome.reasons))
    assert.deepEqual(outcome.reasons.map(reason => reason.check), ['healthy'])
    assert.ok(outcome.downtimeMs !== null && outcome.downtimeMs > 0 && outcome.downtimeMs <= outcome.finishedAt - outcome.startedAt, `downtime ${String(outcome.downtimeMs)} ms`)
    const after = live.status()
    assert.equal(after.engineVersion, `${ENGINE_VERSION}-good`, 'the candidate runs')
    assert.equal(live.supervisor.engine.entry, good.entry)
    assert.equal(after.name, before.name)
    assert.equal(after.age, before.age)
    assert.ok(after.store.chunks >= stored.length)
    await live.assertServes(stored, 'after the switch')
    const more = await live.put(2)

    const back = await switcher.rollback()
    assert.equal(back.kind, 'manual-rollback', JSON.stringify(back.reasons))
    assert.equal(back.running, true)
    assert.equal(live.status().engineVersion, ENGINE_VERSION)
    assert.equal(live.supervisor.engine.entry, BUILT_IN.entry)
    assert.equal(live.status().name, before.name)
    await live.assertServes([...stored, ...more], 'after the manual rollback (chunks stored meanwhile are kept)')
    stored = [...stored, ...more]
  })

  it('rolls back a candidate that crashes at start, and the vault serves the same data as before', async () => {
    const before = live.status()
    const crashing = await buildEngineCandidate('crash-at-start', {
      file: ENGINE_ENTRY,
      find: CREATE_VAULT,
      replace: `await (await import('node:fs/promises')).writeFile(config.dataDir + '/format-v2.json', '{}'); throw new Error('candidate: the data migration failed'); ${CREATE_VAULT}`
    }, dir)
    const outcome = await switcher.switchTo(crashing)
    assert.equal(outcome.kind, 'rolled-back')
    assert.equal(outcome.reasons[0]?.check, 'ready')
    assert.match(outcome.reasons[0]?.message ?? '', /did not start .*the data migration failed/)
    assert.equal(outcome.failedVersion, crashing.engineVersion)
    assert.equal(outcome.running, true)
    assert.ok(outcome.downtimeMs !== null && outcome.downtimeMs > 0)
    assert.ok(!(await readdir(live.dataDir)).includes('format-v2.json'), 'what the candidate wrote is gone')
    assert.equal(live.status().engineVersion, ENGINE_VERSION)
    assert.equal(live.status().name, before.name)
    await live.assertServes(stored, 'after the automatic rollback')
  })

  it('rolls back a migration that loses the identity, naming it, and restores the identity file byte for byte', async () => {
    const before = live.status()
    const identity = await readFile(join(live.dataDir, IDENTITY_FILE))
    const forgetful = await buildEngineCandidate('loses-identity', {
      file: ENGINE_ENTRY,
      find: CREATE_VAULT,
      replace: `await (await import('node:fs/promises')).rm(config.dataDir + '/${IDENTITY_FILE}'); ${CREATE_VAULT}`
    }, dir)
    const outcome = await switcher.switchTo(forgetful)
    assert.equal(outcome.kind, 'rolled-back')
    assert.equal(outcome.reasons[0]?.check, 'identity', JSON.stringify(outcome.reasons))
    assert.match(outcome.reasons[0]?.message ?? '', /changed the vault's identity .* loses its age/)
    assert.equal(outcome.failedVersion, forgetful.engineVersion)
    assert.deepEqual(await readFile(join(live.dataDir, IDENTITY_FILE)), identity)
    assert.equal(live.status().name, before.name)
    assert.equal(live.status().age, before.age)
    await live.assertServes(stored, 'after the identity was restored')
  })
})
