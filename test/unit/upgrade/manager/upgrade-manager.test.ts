// The upgrade manager with a shadow runner, a switch and a clock of the test's own, installing
// real bundles built from this checkout.
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { UpgradeStatusSchema, type UpgradeHistoryEntry, type UpgradePolicy, type UpgradeStatus, type VerdictResult } from '../../../../contract/upgrade.ts'
import { ENGINE_VERSION } from '../../../../node-core/engine/version.ts'
import { eligibleAt, MAX_ROLLOUT_JITTER_MS } from '../../../../node-core/upgrade/schedule/rollout.ts'
import { DAY_MS, DeferToPastError, WEEK_MS } from '../../../../node-core/upgrade/schedule/upgrade-policy.ts'
import { installDirectory, runnableEngine } from '../../../../node-core/upgrade/manager/engine-records.ts'
import { BundleDigestMismatchError } from '../../../../node-core/upgrade/manager/install-bundle.ts'
import { EngineReleaseSource, ERA_UPGRADE_GRACE_MS, ReleaseBundleMissingError, type VerifiedCheck } from '../../../../node-core/upgrade/manager/release-candidates.ts'
import { NO_RELEASE_SOURCE, type LatestRelease, type ReleaseCandidate, type UpgradeActivity } from '../../../../node-core/upgrade/manager/manager-components.ts'
import {
  NoCandidateError, NotApprovableError, NothingToRollBackError, ShadowRunError, UpgradeBusyError, UpgradeManager
} from '../../../../node-core/upgrade/manager/upgrade-manager.ts'
import { UPGRADE_STATE_FILE } from '../../../../node-core/upgrade/manager/upgrade-state.ts'
import { buildBundleFile, makeAppRoot, type BundleFile } from '../../../helpers/bundle-fixture.ts'
import { TestClock, TestLiveEngine, TestShadowRunner, TestSwitcher, verdictOf } from '../../../helpers/manager-fakes.ts'

const T0 = Date.parse('2025-03-01T12:00:00.000Z')
const POINTER = { pointerVersion: 2, indexAddress: 'cd'.repeat(32), publishedAt: '2025-03-01T00:00:00Z' }
const ROLLOUT = { seed: '5e'.repeat(32), start: '2025-03-01T00:00:00Z', durationSeconds: 7 * 24 * 3600 }
const VAULT_NAME = '12D3KooWTestVaultName'

/** The live engine's status once it verified `bundle`'s release (release-follower.ts). */
function verifiedLatest (bundle: BundleFile, overrides: Partial<VerifiedCheck> = {}): LatestRelease {
  return {
    ...POINTER,
    check: {
      verdict: 'verified', checkedAt: T0, engineVersion: bundle.manifest.engineVersion, bundleSha256: bundle.sha256, bundlePath: bundle.path, rootVersion: 1,
      rootSignedBy: ['a1'.repeat(32)], signedBy: ['b2'.repeat(32)], attestedBy: ['c3'.repeat(32), 'd4'.repeat(32)],
      rollout: ROLLOUT, egress: { allowedHosts: [] }, eras: [1],
      ...overrides
    }
  }
}

interface Harness {
  dataDir: string
  manager: UpgradeManager
  runner: TestShadowRunner
  switcher: TestSwitcher
  clock: TestClock
  live: TestLiveEngine
  activities: UpgradeActivity[]
}

describe('the upgrade manager', () => {
  let dir = ''
  let appRoot = ''
  let v2: BundleFile
  let v3: BundleFile
  const harnesses: Harness[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upgrade-manager-'))
    appRoot = await makeAppRoot(dir)
    v2 = await buildBundleFile(dir, 'v2', '0.2.0')
    v3 = await buildBundleFile(dir, 'v3', '0.3.0')
  })
  after(async () => {
    for (const harness of harnesses) await harness.manager.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function setup (options: { policy?: UpgradePolicy, release?: Partial<ReleaseCandidate> & { bundle: BundleFile }, engineSource?: boolean, dataDir?: string } = {}): Promise<Harness> {
    const dataDir = options.dataDir ?? await mkdtemp(join(dir, 'data-'))
    const clock = new TestClock(T0)
    const runner = new TestShadowRunner()
    const switcher = new TestSwitcher(runnableEngine({ kind: 'built-in' }, { dataDir, appRoot }), () => clock.now())
    const live = new TestLiveEngine(join(dataDir, 'vault'))
    live.vaultName = VAULT_NAME
    const release = options.release
    const manager = new UpgradeManager({ dataDir, appRoot }, {
      shadowRunner: runner,
      switcher,
      liveEngine: live,
      clock,
      random: () => 0.5,
      ...(options.engineSource === true ? { releaseSource: new EngineReleaseSource({ liveDataDir: live.dataDir, eras: () => live.eras(), now: () => clock.now() }) } : {}),
      ...(release === undefined
        ? {}
        : {
            releaseSource: {
              fetchVerified: async () => ({
                bundlePath: release.bundle.path,
                sha256: release.bundle.sha256,
                engineVersion: release.bundle.manifest.engineVersion,
                signedBy: ['targets-key-1'],
                attestedBy: ['builder-a', 'builder-b'],
                rollout: ROLLOUT,
                allowedHosts: [],
                deadline: null,
                ...release
              })
            }
          })
    })
    const activities: UpgradeActivity[] = []
    manager.addEventListener('upgrade:activity', event => { activities.push(event.detail) })
    await manager.start()
    if (options.policy !== undefined) await manager.setUpgradePolicy(options.policy)
    const harness = { dataDir, manager, runner, switcher, clock, live, activities }
    harnesses.push(harness)
    return harness
  }

  async function shadow (harness: Harness, bundle: BundleFile, result: VerdictResult): Promise<UpgradeStatus> {
    const pending = harness.manager.shadowUpgrade(bundle.path, 30)
    await harness.runner.started()
    harness.runner.finish(verdictOf(result, bundle.manifest.engineVersion))
    return await pending
  }

  async function historyReaches (manager: UpgradeManager, kind: UpgradeHistoryEntry['kind']): Promise<UpgradeStatus> {
    if (manager.status().history[0]?.kind === kind) return manager.status()
    return await new Promise(resolve => {
      const onStatus = (event: CustomEvent<UpgradeStatus>): void => {
        if (event.detail.history[0]?.kind !== kind) return
        manager.removeEventListener('upgrade:status', onStatus)
        resolve(event.detail)
      }
      manager.addEventListener('upgrade:status', onStatus)
    })
  }

  const kinds = (status: UpgradeStatus): string[] => status.history.map(entry => entry.kind)

  it('shadow-tests a local bundle as a development candidate, shows the run in progress, and under ask waits for approval', async () => {
    const h = await setup()
    const pending = h.manager.shadowUpgrade(v2.path, 30)
    const run = await h.runner.started()
    const target = installDirectory(h.dataDir, v2.sha256)
    assert.deepEqual(run.baseline, { engineVersion: ENGINE_VERSION, bundleSha256: null, rootDir: appRoot, entry: join(appRoot, 'node-core', 'engine', 'engine-main.ts') })
    assert.deepEqual(run.candidate, { engineVersion: '0.2.0', bundleSha256: v2.sha256, rootDir: target, entry: join(target, 'node-core', 'engine', 'engine-main.ts') })
    assert.equal(run.liveDataDir, h.live.dataDir)
    assert.deepEqual(run.trace, h.live.traced)
    assert.equal(run.durationMs, 30_000)
    assert.deepEqual(run.allowedHosts, [])

    const running = h.manager.status()
    assert.equal(running.candidate?.shadow.state, 'running')
    assert.equal(running.candidate?.shadow.startedAt, T0)
    assert.deepEqual(running.candidate?.verification, { kind: 'development', verified: false, reasons: ['a local bundle run by the owner\'s explicit choice, not a signed release'], signedBy: [], attestedBy: [] })
    run.onProgress?.(0.4)
    assert.equal(h.manager.status().candidate?.shadow.progress, 0.4)
    await assert.rejects(h.manager.approveUpgrade(), UpgradeBusyError)
    await assert.rejects(h.manager.shadowUpgrade(v3.path, 30), UpgradeBusyError)

    h.runner.finish(verdictOf('pass', '0.2.0', 'it was as good as the current version'))
    const status = UpgradeStatusSchema.parse(await pending)
    assert.equal(status.candidate?.shadow.state, 'done')
    assert.equal(status.candidate?.shadow.progress, 1)
    assert.equal(status.candidate?.verdict?.result, 'pass')
    assert.equal(status.candidate?.eligibleAt, T0, 'a development candidate is eligible at once')
    assert.deepEqual(status.history[0], { at: T0, kind: 'shadow-passed', fromVersion: ENGINE_VERSION, toVersion: '0.2.0', detail: 'it was as good as the current version' })
    assert.equal(h.manager.nextAction()?.kind, 'ask-owner')
    assert.equal(h.switcher.switchedTo.length, 0)
    h.clock.advanceTo(T0 + WEEK_MS)
    assert.equal(h.switcher.switchedTo.length, 0, 'ask never switches without approval')
  })

  it('keeps everything across a restart, and a run cut short by the restart becomes idle', async () => {
    const h = await setup()
    await shadow(h, v2, 'pass')
    await h.manager.stop()
    const again = await setup({ dataDir: h.dataDir })
    assert.deepEqual(again.manager.status(), { ...h.manager.status(), switching: null })

    const pending = again.manager.shadowUpgrade(v3.path, 30)
    await again.runner.started()
    await again.manager.stop()
    const third = await setup({ dataDir: h.dataDir })
    assert.deepEqual(third.manager.status().candidate?.shadow, { state: 'idle', progress: 0, startedAt: null })
    assert.match(third.activities.map(activity => activity.message).join('\n'), /shadow run of 0\.3\.0 was cut short/)
    again.runner.finish(verdictOf('pass', '0.3.0'))
    await pending.catch(() => undefined)
  })

  it('under automatic switches a passing development candidate at once, keeping the old engine to roll back to', async () => {
    const h = await setup({ policy: 'automatic' })
    await shadow(h, v2, 'pass')
    const status = await historyReaches(h.manager, 'switched')
    assert.equal(h.switcher.switchedTo[0]?.bundleSha256, v2.sha256)
    assert.deepEqual(status.current, { engineVersion: '0.2.0', bundleSha256: v2.sha256 })
    assert.deepEqual(status.previous, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.equal(status.candidate, null)
    assert.equal(status.switching, null)
    assert.deepEqual(kinds(status), ['switched', 'shadow-passed'])
    await h.manager.stop()
    const saved = JSON.parse(await readFile(join(h.dataDir, UPGRADE_STATE_FILE), 'utf8'))
    assert.equal(saved.previousBackupDir, '/backups/1')
    assert.equal(saved.current.bundleSha256, v2.sha256)
  })

  it('under automatic waits for a release\'s turn in the signed rollout, then switches', async () => {
    const h = await setup({ policy: 'automatic', release: { bundle: v3 } })
    h.live.latest = verifiedLatest(v3)
    const pending = h.manager.checkUpgrade()
    await h.runner.started()
    h.runner.finish(verdictOf('pass', '0.3.0'))
    const status = await pending
    const expected = eligibleAt(ROLLOUT, VAULT_NAME, Math.floor(0.5 * (MAX_ROLLOUT_JITTER_MS + 1)))
    assert.ok(expected > T0, 'the test needs a turn after now')
    assert.equal(status.candidate?.eligibleAt, expected)
    assert.deepEqual(status.candidate?.verification, { kind: 'release', verified: true, reasons: [], signedBy: ['targets-key-1'], attestedBy: ['builder-a', 'builder-b'] })
    assert.equal(h.clock.nextDue, expected)
    h.clock.advanceTo(expected - 1)
    assert.equal(h.switcher.switchedTo.length, 0)
    h.clock.advanceTo(expected)
    assert.deepEqual((await historyReaches(h.manager, 'switched')).current, { engineVersion: '0.3.0', bundleSha256: v3.sha256 })
  })

  it('under manual switches only when approved; approval is refused before a verdict, for a failed run, and with no candidate', async () => {
    const h = await setup({ policy: 'manual' })
    await assert.rejects(h.manager.approveUpgrade(), NoCandidateError)
    await shadow(h, v2, 'pass')
    h.clock.advanceTo(T0 + WEEK_MS)
    assert.equal(h.switcher.switchedTo.length, 0)
    const status = await h.manager.approveUpgrade()
    assert.equal(h.switcher.switchedTo.length, 1)
    assert.deepEqual(kinds(status), ['switched', 'approved', 'shadow-passed'])
    assert.deepEqual(status.current, { engineVersion: '0.2.0', bundleSha256: v2.sha256 })

    const failing = h.manager.shadowUpgrade(v3.path, 30)
    await h.runner.started()
    h.runner.fail(new Error('the sandbox could not start'))
    await assert.rejects(failing, (err: Error) => err instanceof ShadowRunError && /could not finish: the sandbox could not start/.test(err.message))
    assert.deepEqual(h.manager.status().candidate?.shadow, { state: 'idle', progress: 0, startedAt: null })
    await assert.rejects(h.manager.approveUpgrade(), /has not finished/)
  })

  it('under ask switches when approved and records the approval', async () => {
    const h = await setup()
    await shadow(h, v2, 'marginal')
    assert.equal(h.manager.nextAction()?.kind, 'ask-owner')
    const status = await h.manager.approveUpgrade()
    assert.deepEqual(kinds(status), ['switched', 'approved', 'shadow-marginal'])
    assert.match(status.history[1]?.detail ?? '', /You approved 0\.2\.0/)
  })

  it('defers to a future time, refuses the past, and stops a deferral at the deadline the era sets', async () => {
    const h = await setup({ release: { bundle: v3, deadline: T0 + 3 * DAY_MS } })
    await assert.rejects(h.manager.deferUpgrade(T0 + DAY_MS), NoCandidateError)
    h.live.latest = verifiedLatest(v3)
    const pending = h.manager.checkUpgrade()
    await h.runner.started()
    h.runner.finish(verdictOf('pass', '0.3.0'))
    await pending
    await assert.rejects(h.manager.deferUpgrade(T0 - 1), DeferToPastError)
    await assert.rejects(h.manager.deferUpgrade(T0), DeferToPastError)
    const day = await h.manager.deferUpgrade(T0 + DAY_MS)
    assert.equal(day.candidate?.deferredUntil, T0 + DAY_MS)
    assert.deepEqual(day.history[0], { at: T0, kind: 'deferred', fromVersion: ENGINE_VERSION, toVersion: '0.3.0', detail: 'deferred to 2025-03-02 12:00 UTC' })
    const week = await h.manager.deferUpgrade(T0 + WEEK_MS)
    assert.equal(week.candidate?.deferredUntil, T0 + 3 * DAY_MS, 'clamped to the deadline')
    assert.match(week.history[0]?.detail ?? '', /deferred to 2025-03-04 12:00 UTC \(asked for 2025-03-08 12:00 UTC, but the active era requires it by then\)/)
  })

  it('under automatic holds a deferred candidate until the deferral ends', async () => {
    const h = await setup()
    await shadow(h, v2, 'pass')
    await h.manager.deferUpgrade(T0 + DAY_MS)
    await h.manager.setUpgradePolicy('automatic')
    assert.equal(h.switcher.switchedTo.length, 0)
    assert.equal(h.clock.nextDue, T0 + DAY_MS)
    h.clock.advanceTo(T0 + DAY_MS)
    await historyReaches(h.manager, 'switched')
    assert.equal(h.switcher.switchedTo.length, 1)
  })

  it('remembers a failed version and never switches to it on its own, even after a later passing run', async () => {
    const h = await setup({ policy: 'automatic' })
    const failed = await shadow(h, v2, 'fail')
    assert.deepEqual(failed.failedVersions, ['0.2.0'])
    assert.equal(failed.candidate?.eligibleAt, null)
    assert.deepEqual(failed.history[0], { at: T0, kind: 'shadow-failed', fromVersion: ENGINE_VERSION, toVersion: '0.2.0', detail: 'the candidate\'s fail reason' })
    await assert.rejects(h.manager.approveUpgrade(), (err: Error) => err instanceof NotApprovableError && /failed its shadow run \(the candidate's fail reason\)/.test(err.message))

    const passed = await shadow(h, v2, 'pass')
    assert.equal(passed.candidate?.verdict?.result, 'pass')
    assert.equal(h.manager.nextAction()?.kind, 'blocked')
    h.clock.advanceTo(T0 + WEEK_MS)
    assert.equal(h.switcher.switchedTo.length, 0)
    await assert.rejects(h.manager.approveUpgrade(), /failed on this vault before/)
  })

  it('a switch whose health window fails is rolled back: the version is remembered and the old engine stays live', async () => {
    const h = await setup({ policy: 'automatic' })
    h.switcher.failNext = 'A chunk the vault held could not be read by 0.2.0.'
    await shadow(h, v2, 'pass')
    const status = await historyReaches(h.manager, 'rolled-back')
    assert.deepEqual(status.current, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.equal(status.previous, null)
    assert.equal(status.candidate, null)
    assert.deepEqual(status.failedVersions, ['0.2.0'])
    assert.match(status.history[0]?.detail ?? '', /could not be read by 0\.2\.0\. The vault served nothing for 1\.2 s\./)
  })

  it('rolls back at the owner\'s request, and says so when there is nothing to roll back to', async () => {
    const h = await setup()
    await assert.rejects(h.manager.rollbackUpgrade(), (err: Error) => err instanceof NothingToRollBackError && err.message === `there is nothing to roll back to: this vault runs ${ENGINE_VERSION} and keeps no earlier engine`)
    await shadow(h, v2, 'pass')
    await h.manager.approveUpgrade()
    const status = await h.manager.rollbackUpgrade()
    assert.equal(h.switcher.rollbacks, 1)
    assert.deepEqual(status.current, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.equal(status.previous, null)
    assert.deepEqual(kinds(status).slice(0, 2), ['manual-rollback', 'switched'])
    await assert.rejects(h.manager.rollbackUpgrade(), NothingToRollBackError)
  })

  it('follows a rollback the live egress watch makes on its own after the switch', async () => {
    const h = await setup()
    await shadow(h, v2, 'pass')
    await h.manager.approveUpgrade()
    h.switcher.liveEgressRollback()
    const status = await historyReaches(h.manager, 'rolled-back')
    assert.deepEqual(status.current, { engineVersion: ENGINE_VERSION, bundleSha256: null })
    assert.deepEqual(status.failedVersions, ['0.2.0'])
    assert.match(status.history[0]?.detail ?? '', /reached 203\.0\.113\.9:443 once live/)
  })

  it('answers honestly that no release source is configured, changing nothing', async () => {
    const h = await setup()
    const before = h.manager.status()
    h.live.latest = verifiedLatest(v3)
    assert.deepEqual(await h.manager.checkUpgrade(), before)
    assert.equal(h.activities.at(-1)?.message, NO_RELEASE_SOURCE)
    assert.equal(h.activities.at(-1)?.kind, 'upgrade:check')
    assert.equal(h.runner.runs.length, 0)
  })

  it('never takes a release that is unchecked, rejected, older or already live as candidate, and says why', async () => {
    const h = await setup({ release: { bundle: v3 } })
    const rejected: LatestRelease = { ...POINTER, check: { verdict: 'rejected', checkedAt: T0, code: 'too-few-attestations', reasons: ['too few matching attestations: 1 of the 2 required from pinned builders'] } }
    const cases: Array<[LatestRelease | null, RegExp]> = [
      [null, /no release has been heard/],
      [{ ...POINTER, check: null }, /pointer v2 was heard; the engine is still fetching and verifying its release/],
      [rejected, /rejected \(too-few-attestations\): too few matching attestations: 1 of the 2 .*never a candidate/],
      [verifiedLatest(v3, { engineVersion: '0.0.9' }), new RegExp(`0\\.0\\.9, is older than the running ${ENGINE_VERSION.replaceAll('.', '\\.')}; it is never a candidate`)],
      [verifiedLatest(v3, { engineVersion: ENGINE_VERSION }), /already runs; nothing to do/]
    ]
    for (const [latest, why] of cases) {
      h.live.latest = latest
      const before = h.manager.status()
      assert.deepEqual(await h.manager.checkUpgrade(), before)
      assert.match(h.activities.at(-1)?.message ?? '', why)
      h.manager.noticeReleases()
    }
    assert.equal(h.runner.runs.length, 0)
    assert.equal(h.manager.status().candidate, null)
  })

  it('tests a release the live engine verified without being asked, once', async () => {
    const h = await setup({ release: { bundle: v3 } })
    h.live.latest = verifiedLatest(v3)
    h.manager.noticeReleases()
    assert.equal((await h.runner.started()).candidate.bundleSha256, v3.sha256)
    // Busy with it, then done with it: neither starts another run.
    h.manager.noticeReleases()
    h.runner.finish(verdictOf('pass', '0.3.0'))
    const status = await historyReaches(h.manager, 'shadow-passed')
    assert.equal(status.candidate?.verification.kind, 'release')
    h.manager.noticeReleases()
    assert.equal(h.runner.runs.length, 1)
    assert.ok(h.activities.some(activity => /the live engine verified release 0\.3\.0; testing it beside/.test(activity.message)))
  })

  it('installs the bundle the engine kept, held to the verified hash, with the signed egress policy, rollout and era deadline', async () => {
    const h = await setup({ engineSource: true })
    h.live.latest = verifiedLatest(v3, { egress: { allowedHosts: ['names.example.org'] }, eras: [1, 2] })
    // The network is in era 2, which the live engine does not support and the release does.
    h.live.liveEras = { active: 2, supported: [1] }
    await assert.rejects(h.manager.checkUpgrade(), ReleaseBundleMissingError)
    const releases = join(h.live.dataDir, 'releases')
    await mkdir(releases, { recursive: true })
    const kept = join(releases, `${v3.sha256}.tar.gz`)
    await copyFile(v2.path, kept)
    await assert.rejects(h.manager.checkUpgrade(), BundleDigestMismatchError)
    await copyFile(v3.path, kept)
    const pending = h.manager.checkUpgrade()
    const run = await h.runner.started()
    assert.deepEqual(run.allowedHosts, ['names.example.org'])
    assert.equal(run.candidate.rootDir, installDirectory(h.dataDir, v3.sha256))
    h.runner.finish(verdictOf('pass', '0.3.0'))
    const status = await pending
    assert.deepEqual(status.candidate?.verification, { kind: 'release', verified: true, reasons: [], signedBy: ['b2'.repeat(32)], attestedBy: ['c3'.repeat(32), 'd4'.repeat(32)] })
    assert.equal(status.candidate?.deadline, T0 + ERA_UPGRADE_GRACE_MS)
    assert.equal(status.candidate?.eligibleAt, eligibleAt(ROLLOUT, VAULT_NAME, Math.floor(0.5 * (MAX_ROLLOUT_JITTER_MS + 1))))
  })

  it('goes on without the live trace when the engine cannot give one, and says so', async () => {
    const h = await setup()
    h.live.traceError = new Error('the engine is not running (restarting)')
    const pending = h.manager.shadowUpgrade(v2.path, 30)
    assert.deepEqual((await h.runner.started()).trace, [])
    h.runner.finish(verdictOf('pass', '0.2.0'))
    await pending
    assert.ok(h.activities.some(activity => /gave no trace .*restarting.*synthetic workload only/.test(activity.message)))
  })

  it('moves an unreadable state file aside, says so, and starts from the defaults', async () => {
    const dataDir = await mkdtemp(join(dir, 'data-unreadable-'))
    await writeFile(join(dataDir, UPGRADE_STATE_FILE), 'not json')
    const h = await setup({ dataDir })
    assert.match(h.manager.problem ?? '', /could not be read .* moved to .*upgrades\.json\.unreadable-/)
    assert.equal(h.manager.status().policy, 'ask')
    assert.equal(h.activities[0]?.kind, 'upgrade:state')
  })
})
