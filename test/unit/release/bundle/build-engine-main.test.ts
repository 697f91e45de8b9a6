// `build-engine-main.ts` writes the bundle where --out says and prints "<sha256>  <path>", the
// line `sha256sum -c` checks; usage errors exit 2.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'

const script = fileURLToPath(new URL('../../../../node-core/release/bundle/build-engine-main.ts', import.meta.url))

function run (args: string[], cwd: string): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise(resolve => {
    execFile(process.execPath, [script, ...args], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

describe('build-engine-main', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'build-engine-main-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('builds into --out, taken from the working directory, and prints the SHA-256 and path', async () => {
    const result = await run(['--out', 'bundles'], dir)
    assert.equal(result.code, 0, result.stderr)
    const match = /^([0-9a-f]{64}) {2}(.+)\n$/.exec(result.stdout)
    assert.ok(match !== null, result.stdout)
    const [, sha256, path] = match
    assert.ok(path?.startsWith(join(dir, 'bundles', 'vault-engine-')), path)
    assert.equal(createHash('sha256').update(await readFile(path ?? '')).digest('hex'), sha256)
  })

  it('exits 2 on an unknown option or a stray argument', async () => {
    const unknown = await run(['--output', 'x'], dir)
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /^build-engine: .*--output/)
    const stray = await run(['somewhere'], dir)
    assert.equal(stray.code, 2)
    assert.match(stray.stderr, /unexpected argument "somewhere"/)
  })
})
