// A temporary root per test file, removed after it, handing out a fresh empty folder per test.
import { after, before } from 'node:test'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Call inside a describe: registers the root's before and after hooks. */
export function freshDirs (prefix: string): () => Promise<string> {
  let root = ''
  let next = 0
  before(async () => { root = await mkdtemp(join(tmpdir(), prefix)) })
  after(async () => { await rm(root, { recursive: true, force: true }) })
  return async () => {
    const dir = join(root, `vault-${next++}`)
    await mkdir(dir)
    return dir
  }
}
