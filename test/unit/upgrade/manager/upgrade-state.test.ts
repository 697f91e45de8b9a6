import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { UpgradeHistoryEntry } from '../../../../contract/upgrade.ts'
import {
  DEFAULT_UPGRADE_STATE, HISTORY_LIMIT, loadUpgradeState, saveUpgradeState, UPGRADE_STATE_FILE, withFailedVersion, withHistory, type UpgradeState
} from '../../../../node-core/upgrade/manager/upgrade-state.ts'

const SHA = 'ab'.repeat(32)

const entry = (at: number): UpgradeHistoryEntry => ({ at, kind: 'deferred', fromVersion: '0.1.0', toVersion: '0.2.0', detail: `entry ${at}` })

const busyState: UpgradeState = {
  version: 1,
  policy: 'automatic',
  current: { kind: 'installed', engineVersion: '0.2.0', bundleSha256: SHA, entryPoint: 'node-core/engine/engine-main.ts' },
  previous: { kind: 'built-in' },
  previousBackupDir: '/data/vault/backups/1000',
  candidate: {
    view: {
      engineVersion: '0.3.0',
      bundleSha256: 'cd'.repeat(32),
      verification: { kind: 'development', verified: false, reasons: ['local'], signedBy: [], attestedBy: [] },
      shadow: { state: 'done', progress: 1, startedAt: 1000 },
      verdict: null,
      eligibleAt: 5000,
      deferredUntil: null,
      deadline: null,
      approved: false
    },
    engine: { kind: 'installed', engineVersion: '0.3.0', bundleSha256: 'cd'.repeat(32), entryPoint: 'node-core/engine/engine-main.ts' },
    rollout: null,
    allowedHosts: []
  },
  failedVersions: ['0.2.5'],
  history: [entry(2), entry(1)]
}

describe('upgrade state file', () => {
  let dir = ''
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'upgrade-state-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('starts from the defaults (policy ask, the built-in engine) when there is no file', async () => {
    const loaded = await loadUpgradeState(dir)
    assert.deepEqual(loaded, { state: DEFAULT_UPGRADE_STATE })
    assert.equal(loaded.state.policy, 'ask')
    assert.deepEqual(loaded.state.current, { kind: 'built-in' })
  })

  it('reads back exactly what it saved', async () => {
    await saveUpgradeState(dir, busyState)
    assert.deepEqual((await loadUpgradeState(dir)).state, busyState)
    assert.deepEqual((await readdir(dir)).sort(), [UPGRADE_STATE_FILE], 'no temporary file is left behind')
  })

  it('refuses to save a state its schema rejects, leaving the old file', async () => {
    await saveUpgradeState(dir, busyState)
    await assert.rejects(saveUpgradeState(dir, { ...busyState, policy: 'sometimes' as UpgradeState['policy'] }))
    assert.deepEqual((await loadUpgradeState(dir)).state, busyState)
  })

  it('moves a file that is not JSON aside, keeps its bytes, and says where it went', async () => {
    await writeFile(join(dir, UPGRADE_STATE_FILE), '{"version": 1, "pol')
    const loaded = await loadUpgradeState(dir, () => 42)
    assert.deepEqual(loaded.state, DEFAULT_UPGRADE_STATE)
    const aside = join(dir, `${UPGRADE_STATE_FILE}.unreadable-42`)
    assert.match(loaded.problem ?? '', /could not be read \(is not valid JSON\) and was moved to .*upgrades\.json\.unreadable-42/)
    assert.equal(await readFile(aside, 'utf8'), '{"version": 1, "pol')
    assert.deepEqual(await readdir(dir), [`${UPGRADE_STATE_FILE}.unreadable-42`])
  })

  for (const [what, broken] of [
    ['an unknown version', { ...busyState, version: 2 }],
    ['an unknown policy', { ...busyState, policy: 'sometimes' }],
    ['an install path that leaves its directory', { ...busyState, current: { ...busyState.current, entryPoint: '../../../bin/sh' } }],
    ['a bundle digest that is not SHA-256 hex', { ...busyState, previous: { kind: 'installed', engineVersion: '0.1.0', bundleSha256: 'xyz', entryPoint: 'a.ts' } }],
    ['an unknown field', { ...busyState, extra: true }],
    ['a history longer than the limit', { ...busyState, history: Array.from({ length: HISTORY_LIMIT + 1 }, (_, at) => entry(at)) }]
  ] as const) {
    it(`moves aside a file with ${what}`, async () => {
      await writeFile(join(dir, UPGRADE_STATE_FILE), JSON.stringify(broken))
      const loaded = await loadUpgradeState(dir, () => 7)
      assert.deepEqual(loaded.state, DEFAULT_UPGRADE_STATE)
      assert.match(loaded.problem ?? '', /is malformed/)
      assert.deepEqual(await readdir(dir), [`${UPGRADE_STATE_FILE}.unreadable-7`])
    })
  }

  it('keeps the newest history entries first and drops the oldest past the limit', () => {
    let state = DEFAULT_UPGRADE_STATE
    for (let at = 0; at < HISTORY_LIMIT + 5; at++) state = withHistory(state, entry(at))
    assert.equal(state.history.length, HISTORY_LIMIT)
    assert.equal(state.history[0]?.at, HISTORY_LIMIT + 4)
    assert.equal(state.history.at(-1)?.at, 5)
  })

  it('remembers a failed version once', () => {
    const once = withFailedVersion(DEFAULT_UPGRADE_STATE, '0.2.0')
    assert.deepEqual(withFailedVersion(once, '0.2.0').failedVersions, ['0.2.0'])
    assert.deepEqual(withFailedVersion(once, '0.3.0').failedVersions, ['0.2.0', '0.3.0'])
  })
})
