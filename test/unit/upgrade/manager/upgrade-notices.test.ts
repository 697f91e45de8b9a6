import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UpgradeCandidate, UpgradeStatus } from '../../../../contract/upgrade.ts'
import { buildNotices } from '../../../../node-core/host/notices.ts'
import { DAY_MS, nextUpgradeAction } from '../../../../node-core/upgrade/schedule/upgrade-policy.ts'
import { ROLLBACK_NOTICE_MS, upgradeNotices } from '../../../../node-core/upgrade/manager/upgrade-notices.ts'
import { verdictOf } from '../../../helpers/manager-fakes.ts'

const NOW = Date.parse('2025-03-01T12:00:00.000Z')

const idle: UpgradeStatus = {
  policy: 'ask',
  current: { engineVersion: '0.1.0', bundleSha256: null },
  previous: null,
  candidate: null,
  switching: null,
  failedVersions: [],
  history: []
}

function withCandidate (change: Partial<UpgradeCandidate>, policy: UpgradeStatus['policy'] = 'ask'): UpgradeStatus {
  return {
    ...idle,
    policy,
    candidate: {
      engineVersion: '0.2.0',
      bundleSha256: 'ab'.repeat(32),
      verification: { kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] },
      shadow: { state: 'done', progress: 1, startedAt: NOW - 60_000 },
      verdict: verdictOf('pass', '0.2.0', 'It was as good as the current version.'),
      eligibleAt: NOW + 3_600_000,
      deferredUntil: null,
      deadline: null,
      approved: false,
      ...change
    }
  }
}

function noticesOf (status: UpgradeStatus, now = NOW, problem?: string): ReturnType<typeof upgradeNotices> {
  const candidate = status.candidate
  const nextAction = candidate === null || candidate.shadow.state !== 'done' ? null : nextUpgradeAction({ policy: status.policy, candidate, failedVersions: status.failedVersions, now })
  return upgradeNotices({ status, nextAction, problem, now })
}

const ids = (status: UpgradeStatus, now = NOW): string[] => noticesOf(status, now).map(notice => notice.id)

describe('upgrade notices', () => {
  it('are none when nothing is pending', () => {
    assert.deepEqual(ids(idle), [])
  })

  it('say a passing candidate waits for approval, with its scheduled time and how to approve or defer', () => {
    const [notice, ...rest] = noticesOf(withCandidate({}))
    assert.equal(rest.length, 0)
    assert.equal(notice?.id, 'upgrade-awaiting-approval')
    assert.equal(notice.severity, 'info')
    assert.equal(notice.title, 'Version 0.2.0 passed its shadow test and waits for your approval')
    assert.match(notice.detail, /Its scheduled time is 2025-03-01 13:00 UTC\./)
    assert.match(notice.fix ?? '', /vault upgrade approve/)
    assert.match(noticesOf(withCandidate({ verdict: verdictOf('marginal', '0.2.0') }))[0]?.title ?? '', /was marginal in its shadow test/)
    assert.deepEqual(ids(withCandidate({}, 'manual')), ['upgrade-awaiting-approval'])
  })

  it('say when an automatic candidate switches, and until when a deferred one waits', () => {
    const [scheduled] = noticesOf(withCandidate({}, 'automatic'))
    assert.equal(scheduled?.id, 'upgrade-scheduled')
    assert.equal(scheduled.title, 'Version 0.2.0 switches at 2025-03-01 13:00 UTC')
    const [deferred, ...rest] = noticesOf(withCandidate({ deferredUntil: NOW + DAY_MS }))
    assert.equal(rest.length, 0)
    assert.equal(deferred?.title, 'Version 0.2.0 is deferred until 2025-03-02 12:00 UTC')
    assert.deepEqual(ids(withCandidate({ shadow: { state: 'running', progress: 0.5, startedAt: NOW }, verdict: null })), [])
  })

  it('warn of a failed shadow run with its top reason, and ask nothing of the owner', () => {
    const [notice, ...rest] = noticesOf(withCandidate({ verdict: verdictOf('fail', '0.2.0', 'It connected to 203.0.113.9:443, outside its policy.'), eligibleAt: null }, 'automatic'))
    assert.equal(rest.length, 0)
    assert.equal(notice?.id, 'upgrade-shadow-failed')
    assert.equal(notice.severity, 'warning')
    assert.match(notice.detail, /^It connected to 203\.0\.113\.9:443, outside its policy\. It will not be installed\.$/)
  })

  it('raise a critical notice after a rollback, dated by it, for a week', () => {
    const rolledBack: UpgradeStatus = { ...idle, history: [{ at: NOW - 1000, kind: 'rolled-back', fromVersion: '0.2.0', toVersion: '0.1.0', detail: 'It reached 203.0.113.9:443 once live.' }] }
    const [notice] = noticesOf(rolledBack)
    assert.equal(notice?.id, 'upgrade-rolled-back')
    assert.equal(notice.severity, 'critical')
    assert.equal(notice.since, NOW - 1000)
    assert.match(notice.detail, /once live\. The vault runs 0\.1\.0 again/)
    assert.deepEqual(ids(rolledBack, NOW - 1000 + ROLLBACK_NOTICE_MS), [])
    assert.deepEqual(ids({ ...rolledBack, history: [{ ...rolledBack.history[0], kind: 'manual-rollback' } as UpgradeStatus['history'][number]] }), [])
  })

  it('warn as a deadline nears and turn critical once it has passed', () => {
    const near = noticesOf(withCandidate({ deadline: NOW + DAY_MS }, 'manual')).find(notice => notice.id === 'upgrade-deadline')
    assert.equal(near?.severity, 'warning')
    assert.equal(near.title, 'Version 0.2.0 is required by 2025-03-02 12:00 UTC')
    assert.equal(noticesOf(withCandidate({ deadline: NOW - 1 }, 'manual')).find(notice => notice.id === 'upgrade-deadline')?.severity, 'critical')
    assert.ok(!ids(withCandidate({ deadline: NOW + 10 * DAY_MS })).includes('upgrade-deadline'))
  })

  it('show a switch in progress and an unreadable state file', () => {
    assert.deepEqual(ids({ ...idle, switching: { phase: 'health-window', since: NOW } }), ['upgrade-switching'])
    assert.equal(noticesOf(idle, NOW, 'upgrades.json could not be read')[0]?.id, 'upgrade-state-unreadable')
  })

  it('join the host\'s notices when the host gives the upgrade view', () => {
    const notices = buildNotices({
      state: 'active',
      peers: 3,
      store: { chunks: 0, bytes: 0, capacityBytes: 10, full: false, quarantined: 0 },
      restarts: 0,
      lastError: undefined,
      embedded: false,
      settingsProblem: undefined,
      upgradeRequired: undefined,
      upgrade: { status: idle, nextAction: null, problem: 'upgrades.json could not be read' },
      now: NOW
    })
    assert.deepEqual(notices.map(notice => notice.id), ['upgrade-state-unreadable'])
  })
})
