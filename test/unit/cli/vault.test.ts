// The CLI as a user runs it: a real child process, its exit code and its one-line reason.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../../../node-core/cli/vault.ts', import.meta.url))

async function vault (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

describe('vault CLI', () => {
  it('exits 2 with a one-line reason on an unknown command', async () => {
    const { code, stderr } = await vault('frobnicate')
    assert.equal(code, 2)
    assert.match(stderr, /^vault: unknown command "frobnicate"/)
    assert.equal(stderr.trim().split('\n').length, 1)
  })

  it('exits 2 on an unknown flag or a bad value', async () => {
    assert.equal((await vault('status', '--bogus')).code, 2)
    const nodes = await vault('testnet', '--nodes', 'many')
    assert.equal(nodes.code, 2)
    assert.match(nodes.stderr, /--nodes expects a whole number from 1 to 500, got "many"/)
    const start = await vault('start')
    assert.equal(start.code, 2)
    assert.match(start.stderr, /--headless/)
  })

  it('exits 1 when no vault runs in the data dir, saying how to start one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-cli-'))
    try {
      const { code, stderr } = await vault('status', '--data-dir', dir, '--json')
      assert.equal(code, 1)
      assert.match(stderr, /no running vault found .* vault start --headless/)
      await writeFile(join(dir, 'host.json'), '{"version": 1, "url": 3}')
      const malformed = await vault('status', '--data-dir', dir)
      assert.equal(malformed.code, 1)
      assert.match(malformed.stderr, /host\.json is malformed/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('exits 2 on a malformed vault upgrade, and 1 when no vault runs to ask', async () => {
    const policy = await vault('upgrade', 'policy', 'sometimes')
    assert.equal(policy.code, 2)
    assert.equal(policy.stderr, 'vault: vault upgrade policy expects automatic, ask or manual, got "sometimes"\n')
    const defer = await vault('upgrade', 'defer', '--until', '2025-02-30')
    assert.equal(defer.code, 2)
    assert.match(defer.stderr, /--until expects an ISO 8601 date/)
    const dir = await mkdtemp(join(tmpdir(), 'vault-cli-upgrade-'))
    try {
      const approve = await vault('upgrade', 'approve', '--data-dir', dir)
      assert.equal(approve.code, 1)
      assert.match(approve.stderr, /no running vault found/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const help = await vault('upgrade', 'help')
    assert.equal(help.code, 0)
    assert.match(help.stdout, /exit 0 on pass, 1 otherwise \(marginal included\)/)
  })

  it('prints usage with --help and exits 0', async () => {
    const { code, stdout } = await vault('--help')
    assert.equal(code, 0)
    assert.match(stdout, /vault testnet --nodes N/)
    assert.match(stdout, /vault upgrade check\|shadow\|approve\|defer\|rollback\|policy/)
  })
})
