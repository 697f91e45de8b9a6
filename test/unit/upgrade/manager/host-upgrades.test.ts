// The state the host starts from: an installed engine that has gone missing is never started.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadStartupState } from '../../../../node-core/upgrade/manager/host-upgrades.ts'
import { installDirectory } from '../../../../node-core/upgrade/manager/engine-records.ts'
import { installEngineBundle } from '../../../../node-core/upgrade/manager/install-bundle.ts'
import { DEFAULT_UPGRADE_STATE, saveUpgradeState, UPGRADE_STATE_FILE, type UpgradeState } from '../../../../node-core/upgrade/manager/upgrade-state.ts'
import { buildBundleFile, makeAppRoot, type BundleFile } from '../../../helpers/bundle-fixture.ts'

describe('the upgrade state the host starts from', () => {
  let dir = ''
  let appRoot = ''
  let bundle: BundleFile

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'host-upgrades-'))
    appRoot = await makeAppRoot(dir)
    bundle = await buildBundleFile(dir, 'v2', '0.2.0')
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('keeps an installed live engine that is on disk', async () => {
    const dataDir = join(dir, 'present')
    const installed = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    const state: UpgradeState = { ...DEFAULT_UPGRADE_STATE, current: installed.record, previous: { kind: 'built-in' }, previousBackupDir: '/b/1' }
    await saveUpgradeState(dataDir, state)
    assert.deepEqual(await loadStartupState({ dataDir, appRoot }, () => 1), { state })
  })

  it('falls back to the engine shipped with the app when the installed one is gone, says so, and saves it', async () => {
    const dataDir = join(dir, 'missing')
    const installed = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot })
    await saveUpgradeState(dataDir, { ...DEFAULT_UPGRADE_STATE, current: installed.record, previous: { kind: 'built-in' }, previousBackupDir: '/b/1' })
    await rm(installDirectory(dataDir, bundle.sha256), { recursive: true })
    const loaded = await loadStartupState({ dataDir, appRoot }, () => 1)
    assert.deepEqual(loaded.state, DEFAULT_UPGRADE_STATE)
    assert.match(loaded.problem ?? '', /the engine this vault ran, 0\.2\.0 is missing from .*engines\/[0-9a-f]{64}; the engine shipped with the app runs instead/)
    assert.deepEqual(JSON.parse(await readFile(join(dataDir, UPGRADE_STATE_FILE), 'utf8')).current, { kind: 'built-in' })
  })
})
