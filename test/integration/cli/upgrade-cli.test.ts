// `vault upgrade` as a user runs it, against a real headless host: check, policy, defer, approve
// (a real switch to an installed bundle and its health window) and rollback. The candidate's
// shadow run is taken as done (upgrades.json is written before the host starts): the shadow run
// end to end has its own test.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runVault, startLiveHost, type CliRun, type LiveHost } from '../../helpers/cli-host.ts'
import { VaultStatusSchema } from '../../../contract/host-api.ts'
import { UpgradeStatusSchema, type UpgradeStatus } from '../../../contract/upgrade.ts'
import { ENGINE_VERSION } from '../../../node-core/engine/version.ts'
import { installEngineBundle } from '../../../node-core/upgrade/manager/install-bundle.ts'
import { DEVELOPMENT_VERIFICATION, NO_RELEASE_SOURCE } from '../../../node-core/upgrade/manager/manager-components.ts'
import { DEFAULT_UPGRADE_STATE, saveUpgradeState } from '../../../node-core/upgrade/manager/upgrade-state.ts'
import { buildBundleFile, repo, type BundleFile } from '../../helpers/bundle-fixture.ts'
import { verdictOf } from '../../helpers/manager-fakes.ts'

const DAY_MS = 24 * 3600 * 1000

type Run = CliRun

async function vault (...args: string[]): Promise<Run> {
  return await runVault(args)
}

describe('vault upgrade against a running vault', () => {
  let dir = ''
  let dataDir = ''
  let bundle: BundleFile
  let host: LiveHost | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-upgrade-cli-'))
    dataDir = join(dir, 'data')
    bundle = await buildBundleFile(dir, 'candidate', '0.2.0')
    const installed = await installEngineBundle({ bundlePath: bundle.path, dataDir, appRoot: repo })
    const now = Date.now()
    await saveUpgradeState(dataDir, {
      ...DEFAULT_UPGRADE_STATE,
      candidate: {
        view: {
          engineVersion: '0.2.0',
          bundleSha256: bundle.sha256,
          verification: DEVELOPMENT_VERIFICATION,
          shadow: { state: 'done', progress: 1, startedAt: now - 60_000 },
          verdict: { ...verdictOf('pass', '0.2.0', 'The candidate was as good as the current version.'), startedAt: now - 60_000 },
          eligibleAt: now,
          deferredUntil: null,
          deadline: null,
          approved: false
        },
        engine: installed.record,
        rollout: null,
        allowedHosts: []
      },
      history: [{ at: now, kind: 'shadow-passed', fromVersion: ENGINE_VERSION, toVersion: '0.2.0', detail: 'The candidate was as good as the current version.' }]
    })
    host = await startLiveHost(['--data-dir', dataDir, '--nodes', '3', '--client-rate', '2', '--health-window', '5'])
  })

  after(async () => {
    await host?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const upgradeOf = (run: Run): UpgradeStatus => {
    assert.equal(run.code, 0, run.stderr)
    return UpgradeStatusSchema.parse(JSON.parse(run.stdout))
  }

  it('checks honestly, refuses what cannot be done, sets the policy, defers, approves, switches and rolls back', { timeout: 280_000 }, async () => {
    const check = await vault('upgrade', 'check', '--data-dir', dataDir)
    assert.equal(check.code, 0, check.stderr)
    assert.ok(check.stdout.includes(NO_RELEASE_SOURCE), check.stdout)
    assert.match(check.stdout, /candidate {2}0\.2\.0: development, pass/)

    const nothing = await vault('upgrade', 'rollback', '--data-dir', dataDir)
    assert.equal(nothing.code, 1)
    assert.equal(nothing.stderr, `vault: there is nothing to roll back to: this vault runs ${ENGINE_VERSION} and keeps no earlier engine\n`)

    assert.equal(upgradeOf(await vault('upgrade', 'policy', 'manual', '--data-dir', dataDir, '--json')).policy, 'manual')

    const past = await vault('upgrade', 'defer', '--until', '2000-01-01T00:00Z', '--data-dir', dataDir)
    assert.equal(past.code, 1)
    assert.match(past.stderr, /^vault: 2000-01-01 00:00 UTC has passed/)
    const before = Date.now()
    const deferred = upgradeOf(await vault('upgrade', 'defer', '--until', '1d', '--data-dir', dataDir, '--json'))
    const until = deferred.candidate?.deferredUntil ?? 0
    assert.ok(until >= before + DAY_MS && until <= Date.now() + DAY_MS, `deferred to ${until}`)
    assert.equal(deferred.history[0]?.kind, 'deferred')

    const approved = upgradeOf(await vault('upgrade', 'approve', '--data-dir', dataDir, '--json'))
    assert.deepEqual(approved.current, { engineVersion: '0.2.0', bundleSha256: bundle.sha256 })
    assert.deepEqual(approved.previous, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.deepEqual(approved.history.slice(0, 2).map(entry => entry.kind), ['switched', 'approved'])
    const live = VaultStatusSchema.parse(JSON.parse((await vault('status', '--data-dir', dataDir, '--json')).stdout))
    assert.equal(live.engineVersion, '0.2.0', 'the engine from the bundle is the one running')

    const rolledBack = upgradeOf(await vault('upgrade', 'rollback', '--data-dir', dataDir, '--json'))
    assert.deepEqual(rolledBack.current, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.equal(rolledBack.previous, null)
    assert.equal(rolledBack.history[0]?.kind, 'manual-rollback')
    const after = VaultStatusSchema.parse(JSON.parse((await vault('status', '--data-dir', dataDir, '--json')).stdout))
    assert.equal(after.engineVersion, ENGINE_VERSION)
    assert.equal(after.state, 'active')
  })
})
