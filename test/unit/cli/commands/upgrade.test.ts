import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'
import { formatUpgrade, parseIsoDate, parseUntil, parseUpgradeArgs, shadowJson } from '../../../../node-core/cli/commands/upgrade.ts'
import { DAY_MS, WEEK_MS } from '../../../../node-core/upgrade/schedule/upgrade-policy.ts'
import { verdictOf } from '../../../helpers/manager-fakes.ts'

const NOW = Date.parse('2025-03-01T12:00:00.000Z')
const parse = (...args: string[]): ReturnType<typeof parseUpgradeArgs> => parseUpgradeArgs([...args, '--data-dir', '/data'], NOW, '/home/farmer')

describe('vault upgrade arguments', () => {
  it('reads each command with its flags, paths taken from the working directory', () => {
    assert.deepEqual(parse('check'), { command: { verb: 'check' }, dataDir: '/data', json: false })
    assert.deepEqual(parse('approve', '--json').command, { verb: 'approve' })
    assert.equal(parse('approve', '--json').json, true)
    assert.deepEqual(parse('rollback').command, { verb: 'rollback' })
    assert.deepEqual(parse('shadow', '--candidate', 'dist/vault-engine-0.2.0.tar.gz').command, { verb: 'shadow', candidatePath: '/home/farmer/dist/vault-engine-0.2.0.tar.gz', durationSeconds: undefined })
    assert.deepEqual(parse('shadow', '--candidate', '/b.tar.gz', '--duration', '120').command, { verb: 'shadow', candidatePath: '/b.tar.gz', durationSeconds: 120 })
    assert.deepEqual(parse('defer', '--until', '1d').command, { verb: 'defer', until: NOW + DAY_MS })
    assert.deepEqual(parse('defer', '--until', '1w').command, { verb: 'defer', until: NOW + WEEK_MS })
    assert.deepEqual(parse('defer', '--until', '2025-03-08T14:00Z').command, { verb: 'defer', until: Date.parse('2025-03-08T14:00:00Z') })
    assert.deepEqual(parse('policy', 'automatic').command, { verb: 'policy', policy: 'automatic' })
    assert.deepEqual(parse('help').command, { verb: 'help' })
    assert.equal(parseUpgradeArgs(['check', '--data-dir', 'rel'], NOW, '/home/farmer').dataDir, '/home/farmer/rel')
  })

  for (const [args, message] of [
    [[], /needs a command/],
    [['upgrade-everything'], /unknown upgrade command "upgrade-everything"/],
    [['shadow'], /needs --candidate PATH/],
    [['shadow', '--candidate', 'b.tar.gz', '--duration', '4'], /--duration expects a whole number from 5 to 3600, got "4"/],
    [['shadow', '--candidate', 'b.tar.gz', '--duration', 'long'], /--duration expects a whole number/],
    [['defer'], /needs --until DATE\|1d\|1w/],
    [['defer', '--until', 'tomorrow'], /--until expects an ISO 8601 date .* got "tomorrow"/],
    [['defer', '--until', '2025-02-29'], /got "2025-02-29"/],
    [['defer', '--until', '0d'], /got "0d"/],
    [['policy'], /expects automatic, ask or manual$/],
    [['policy', 'sometimes'], /expects automatic, ask or manual, got "sometimes"/],
    [['policy', 'ask', 'now'], /unexpected argument "now"/],
    [['approve', 'now'], /unexpected argument "now"/],
    [['approve', '--until', '1d'], /--until does not go with vault upgrade approve/],
    [['check', '--candidate', 'b.tar.gz'], /--candidate does not go with vault upgrade check/]
  ] as const) {
    it(`refuses ${JSON.stringify(args)} as a usage error`, () => {
      assert.throws(() => parse(...args), (err: Error) => err.name === 'UsageError' && message.test(err.message))
    })
  }

  it('refuses an unknown flag as node:util does', () => {
    assert.throws(() => parse('check', '--force'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
  })
})

describe('ISO 8601 dates for --until', () => {
  it('reads dates and date-times with Z or an offset exactly', () => {
    assert.equal(parseIsoDate('2025-03-08T14:00Z'), Date.UTC(2025, 2, 8, 14, 0))
    assert.equal(parseIsoDate('2025-03-08T14:00:30.5Z'), Date.UTC(2025, 2, 8, 14, 0, 30, 500))
    assert.equal(parseIsoDate('2025-03-08T14:00+02:00'), Date.UTC(2025, 2, 8, 12, 0))
    assert.equal(parseIsoDate('2025-03-08T14:00-05:30'), Date.UTC(2025, 2, 8, 19, 30))
  })

  it('reads a date without an offset in local time, as ISO 8601 does', () => {
    assert.equal(parseIsoDate('2025-03-08'), new Date(2025, 2, 8).getTime())
    assert.equal(parseIsoDate('2025-03-08T09:15'), new Date(2025, 2, 8, 9, 15).getTime())
  })

  it('refuses days and times that do not exist, and anything loose', () => {
    for (const text of ['2025-02-29', '2025-04-31', '2025-13-01', '2025-03-08T24:00Z', '2025-03-08T12:60Z', '2025-03-08T12:00+24:00',
      '2025-3-8', '08/03/2025', '2025-03-08 14:00', '2025-03-08T14Z', '1741442400000', '']) {
      assert.equal(parseIsoDate(text), undefined, text)
    }
    assert.equal(parseIsoDate('2024-02-29'), new Date(2024, 1, 29).getTime(), 'a leap day exists in a leap year')
  })

  it('counts days and weeks from now', () => {
    assert.equal(parseUntil('3d', NOW), NOW + 3 * DAY_MS)
    assert.equal(parseUntil('2w', NOW), NOW + 2 * WEEK_MS)
  })
})

describe('vault upgrade output', () => {
  it('sums up the upgrade state in a few lines', () => {
    const verdict = verdictOf('pass', '0.2.0')
    const status: UpgradeStatus = {
      policy: 'ask',
      current: { engineVersion: '0.1.0', bundleSha256: null },
      previous: null,
      candidate: {
        engineVersion: '0.2.0',
        bundleSha256: 'ab'.repeat(32),
        verification: { kind: 'development', verified: false, reasons: [], signedBy: [], attestedBy: [] },
        shadow: { state: 'done', progress: 1, startedAt: NOW },
        verdict,
        eligibleAt: NOW,
        deferredUntil: NOW + DAY_MS,
        deadline: null,
        approved: false
      },
      switching: null,
      failedVersions: ['0.1.5'],
      history: [{ at: NOW, kind: 'deferred', fromVersion: '0.1.0', toVersion: '0.2.0', detail: 'deferred to 2025-03-02 12:00 UTC' }]
    }
    assert.equal(formatUpgrade(status), [
      'current    0.1.0 (shipped with the app)',
      'previous   -',
      'policy     ask',
      'candidate  0.2.0: development, pass, scheduled 2025-03-01 12:00 UTC, deferred until 2025-03-02 12:00 UTC',
      'failed     0.1.5',
      'last       2025-03-01 12:00 UTC deferred 0.1.0 -> 0.2.0: deferred to 2025-03-02 12:00 UTC'
    ].join('\n'))
    assert.deepEqual(shadowJson(verdict), {
      verdict: 'pass',
      reasons: verdict.reasons,
      metrics: { baseline: verdict.baseline, candidate: verdict.candidate },
      isolation: verdict.isolation,
      egress: verdict.egress,
      startedAt: verdict.startedAt,
      durationMs: verdict.durationMs
    })
  })
})
