// `vault resume`: its arguments, what it prints of the self-check and of the outcome, and the
// command as a user runs it against a headless server over an in-memory host.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { SectionStanding, VaultStatus } from '../../../../contract/host-api.ts'
import { formatResume, formatSelfCheck, parseResumeArgs } from '../../../../node-core/cli/commands/resume.ts'
import { UsageError } from '../../../../node-core/cli/cli-errors.ts'
import { runVault, ScriptedHostServers, scriptedHost, type CliRun } from '../../../helpers/cli-host.ts'
import { SAMPLE_SELF_CHECK_FAILED, SAMPLE_SELF_CHECK_PASSED, sampleStanding, sampleStandingStatus, sampleStatus } from '../../../helpers/sample-status.ts'

const FIXES = SAMPLE_SELF_CHECK_FAILED.checks.flatMap(check => check.fix === undefined ? [] : [check.fix])

describe('vault resume arguments', () => {
  it('takes --data-dir relative to the working directory and --json', () => {
    assert.deepEqual(parseResumeArgs(['--data-dir', 'vault', '--json'], '/home/farmer'), { dataDir: '/home/farmer/vault', json: true, help: false })
    assert.equal(parseResumeArgs(['-h']).help, true)
  })

  it('refuses an argument or an unknown flag', () => {
    assert.throws(() => parseResumeArgs(['now']), (err: Error) => err instanceof UsageError && /unexpected argument "now"/.test(err.message))
    assert.throws(() => parseResumeArgs(['--force']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
  })
})

describe('vault resume output', () => {
  it('prints every check, passed or FAILED in words, a failed one with its fix', () => {
    const lines = formatSelfCheck(SAMPLE_SELF_CHECK_FAILED)
    assert.equal(lines[0], 'self-check failed: 2 of 6 checks')
    assert.equal(lines[1], '  passed  chunk-folder: /data/vault/store/chunks is present')
    assert.equal(lines[2], '  FAILED  store-writable: writing a probe file in /data/vault/store/chunks failed (EROFS)')
    assert.equal(lines[3], `          fix: ${FIXES[0] ?? ''}`)
    assert.equal(lines.length, 1 + 6 + 2)
    assert.equal(formatSelfCheck(SAMPLE_SELF_CHECK_PASSED)[0], 'self-check passed')
  })

  it('says the resume is requested after a passed self-check', () => {
    const { out, reasons } = formatResume({ resumed: true, standing: sampleStanding({ state: 'resume-requested', selfCheck: SAMPLE_SELF_CHECK_PASSED }) })
    assert.equal(out[0], 'self-check passed')
    assert.equal(out.at(-1), 'resume requested: the elders will audit this vault on probation')
    assert.deepEqual(reasons, [])
  })

  it('lists each fix, in order, when the self-check failed; the engine\'s message without a report', () => {
    const refusal = { name: 'SelfCheckFailedError' as const, message: 'the self-check failed: store-writable, peers' }
    const { out, reasons } = formatResume({ resumed: false, refusal, standing: sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_FAILED }) })
    assert.equal(out[0], 'self-check failed: 2 of 6 checks')
    assert.deepEqual(reasons, ['cannot resume: the self-check failed; fix each of these, then run vault resume again:', ...FIXES.map(fix => `  - ${fix}`)])
    assert.deepEqual(formatResume({ resumed: false, refusal, standing: null }), { out: [], reasons: ['cannot resume: the self-check failed: store-writable, peers'] })
  })

  it('says why a vault that is not paused cannot resume, from its standing', () => {
    const refusal = { name: 'NotPausedError' as const, message: 'the section has not paused this vault: there is nothing to resume' }
    const reasonFor = (standing: SectionStanding | null): string[] => formatResume({ resumed: false, refusal, standing }).reasons
    assert.deepEqual(reasonFor(sampleStatus().section?.standing ?? null), ['cannot resume: the section has not paused this vault; there is nothing to resume'])
    assert.match(reasonFor(sampleStanding({ state: 'resume-requested' }))[0] ?? '', /already requested; the elders are auditing/)
    assert.match(reasonFor(sampleStanding({ state: 'demoted', rejoinAge: 6 }))[0] ?? '', /demoted this vault; it may rejoin at age 6$/)
    assert.deepEqual(reasonFor(null), [`cannot resume: ${refusal.message}`])
  })
})

/** A host whose reconnect answers as the engine would for the standing it is given. */
function hostWith (standing: SectionStanding): ReturnType<typeof scriptedHost> {
  const refuse = (name: string, message: string): Error => Object.assign(new Error(message), { name })
  return scriptedHost(() => sampleStandingStatus(standing), {
    async reconnect (): Promise<VaultStatus> {
      if (standing.state !== 'paused') throw refuse('NotPausedError', 'the section has not paused this vault: there is nothing to resume')
      if (standing.selfCheck?.passed !== true) throw refuse('SelfCheckFailedError', 'the self-check failed')
      return sampleStandingStatus({ ...standing, state: 'resume-requested' })
    }
  })
}

describe('vault resume against a headless server', () => {
  const hosts = new ScriptedHostServers('vault-resume-')
  before(async () => { await hosts.open() })
  after(async () => { await hosts.close() })

  const serve = async (name: string, standing: SectionStanding): Promise<string> => await hosts.serve(name, hostWith(standing))
  const vault = async (...args: string[]): Promise<CliRun> => await runVault(args, { timeoutMs: 60_000 })

  it('exits 0 once the resume is requested, printing the self-check', async () => {
    const dataDir = await serve('passed', sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_PASSED }))
    const run = await vault('resume', '--data-dir', dataDir)
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^self-check passed$/m)
    assert.match(run.stdout, /^resume requested: the elders will audit this vault on probation$/m)
    const json = await vault('resume', '--data-dir', dataDir, '--json')
    assert.equal(json.code, 0)
    assert.equal((JSON.parse(json.stdout) as { resumed: boolean, standing: SectionStanding }).standing.state, 'resume-requested')
  })

  it('exits 1 with each fix when the self-check fails', async () => {
    const dataDir = await serve('failed', sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_FAILED }))
    const run = await vault('resume', '--data-dir', dataDir)
    assert.equal(run.code, 1)
    assert.match(run.stdout, /^ {2}FAILED {2}peers: connected to no other vault$/m)
    assert.match(run.stderr, /^vault: cannot resume: the self-check failed; fix each of these/)
    for (const fix of FIXES) assert.ok(run.stderr.includes(`  - ${fix}\n`), run.stderr)
    const json = JSON.parse((await vault('resume', '--data-dir', dataDir, '--json')).stdout) as { resumed: boolean, refusal: { name: string } }
    assert.deepEqual([json.resumed, json.refusal.name], [false, 'SelfCheckFailedError'])
  })

  it('exits 1 saying the section has not paused an active vault', async () => {
    const dataDir = await serve('active', sampleStanding({ state: 'active', pause: null, deadlineAt: null }))
    const run = await vault('resume', '--data-dir', dataDir)
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'vault: cannot resume: the section has not paused this vault; there is nothing to resume\n')
  })

  it('exits 2 on a usage error and 1 when no vault runs in the data dir', async () => {
    const usage = await vault('resume', 'please')
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /^vault: unexpected argument "please"; usage: vault resume \[--data-dir DIR\] \[--json\]$/m)
    const none = await vault('resume', '--data-dir', hosts.path('nothing-here'))
    assert.equal(none.code, 1)
    assert.match(none.stderr, /no running vault found/)
  })
})
