// `vault resume` as a user runs it, against a real headless host on a small embedded network whose
// section has not paused the vault: the real engine refuses, and the command says why and exits 1.
// (A paused vault needs the elders' audits to fail; the dashboard's pause-and-fix test does that.)
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../../../node-core/cli/vault.ts', import.meta.url))

interface Run { code: number, stdout: string, stderr: string }

async function vault (...args: string[]): Promise<Run> {
  return await new Promise(resolve => {
    execFile(process.execPath, [cli, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr })
    })
  })
}

describe('vault resume against a running vault', () => {
  let dir = ''
  let host: ChildProcess | undefined
  let exited: Promise<number | null> = Promise.resolve(null)

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-resume-cli-'))
    const child = spawn(process.execPath, [cli, 'start', '--headless', '--data-dir', join(dir, 'data'), '--nodes', '3', '--client-rate', '1'], { stdio: ['ignore', 'pipe', 'inherit'] })
    host = child
    exited = new Promise(resolve => child.once('exit', resolve))
    const lines = createInterface({ input: child.stdout })
    await new Promise<void>((resolve, reject) => {
      lines.on('line', line => { if (line === 'The vault is live.') resolve() })
      void exited.then(code => { reject(new Error(`vault start exited (${String(code)}) before the vault was live`)) })
    })
  })

  after(async () => {
    host?.kill('SIGINT')
    await exited
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
