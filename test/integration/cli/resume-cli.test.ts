// `vault resume` as a user runs it, against a real headless host on a small embedded network whose
// section has not paused the vault: the real engine refuses, and the command says why and exits 1.
// (A paused vault needs the elders' audits to fail; the dashboard's pause-and-fix test does that.)
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runVault, startLiveHost, type CliRun, type LiveHost } from '../../helpers/cli-host.ts'


type Run = CliRun

async function vault (...args: string[]): Promise<Run> {
  return await runVault(args)
}

describe('vault resume against a running vault', () => {
  let dir = ''
  let host: LiveHost | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-resume-cli-'))
    host = await startLiveHost(['--data-dir', join(dir, 'data'), '--nodes', '3', '--client-rate', '1'])
  })

  after(async () => {
    await host?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('exits 1 saying the section has not paused this vault, and --json says so too', async () => {
    const run = await vault('resume', '--data-dir', join(dir, 'data'))
    assert.equal(run.code, 1, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'vault: cannot resume: the section has not paused this vault; there is nothing to resume\n')
    const json = await vault('resume', '--data-dir', join(dir, 'data'), '--json')
    assert.equal(json.code, 1, json.stderr)
    const outcome = JSON.parse(json.stdout) as { resumed: boolean, refusal: { name: string }, standing: { state: string } | null }
    assert.deepEqual([outcome.resumed, outcome.refusal.name, outcome.standing?.state], [false, 'NotPausedError', 'active'])
  })
})
