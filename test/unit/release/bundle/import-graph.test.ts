// importGraph finds what the runtime loads (and only that), and fails on loads it cannot see.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  importGraph, MissingSourceError, SourceOutsideRootError, StaleRuntimeLoadError, UnresolvedImportError
} from '../../../../node-core/release/bundle/import-graph.ts'

describe('importGraph', () => {
  let root = ''
  let next = 0
  before(async () => { root = await mkdtemp(join(tmpdir(), 'import-graph-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  /** A fresh source tree holding `files` (path → text). */
  async function tree (files: Record<string, string>): Promise<string> {
    const dir = join(root, `tree-${next++}`)
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true })
      await writeFile(join(dir, path), text)
    }
    return dir
  }

  it('follows runtime imports and re-exports, skips type-only ones, and names packages and not built-ins', async () => {
    const sourceRoot = await tree({
      'app/main.ts': [
        "import { readFile } from 'node:fs/promises'",
        "import { join } from 'path'",
        "import { z } from 'zod'",
        "import { keys } from '@libp2p/crypto/keys'",
        "import type { Types } from './types.ts'",
        "import { type OnlyType } from './side-effect.ts'",
        "import { helper } from './lib/helper.ts'",
        "export { shared } from '../shared/shared.ts'",
        "export type { Other } from './other-types.ts'",
        "export type Alias = typeof import('./import-type.ts')",
        'export const run = async () => await import(\'./lazy.ts\')',
        'export const all = [readFile, join, z, keys, helper]'
      ].join('\n'),
      'app/types.ts': 'export interface Types { a: 1 }\n',
      'app/other-types.ts': 'export interface Other { a: 1 }\n',
      'app/import-type.ts': 'export const x = 1\n',
      'app/side-effect.ts': 'export interface OnlyType { a: 1 }\nconsole.log(1)\n',
      'app/lib/helper.ts': "import { TypedEventEmitter } from 'main-event'\nexport const helper = TypedEventEmitter\n",
      'app/lazy.ts': "export const asset = new URL('./data/table.bin', import.meta.url)\n",
      'app/data/table.bin': 'binary',
      'shared/shared.ts': "export * from './more.ts'\n",
      'shared/more.ts': 'export const shared = 1\n',
      'unrelated.ts': 'export const never = 1\n'
    })
    const graph = await importGraph({ sourceRoot, entries: ['app/main.ts'] })
    assert.deepEqual(graph.files, [
      'app/data/table.bin',
      'app/lazy.ts',
      'app/lib/helper.ts',
      'app/main.ts',
      'app/side-effect.ts',
      'shared/more.ts',
      'shared/shared.ts'
    ])
    assert.deepEqual(graph.packages, ['@libp2p/crypto', 'main-event', 'zod'])
  })

  it('fails on a computed import() unless the file declares what it loads', async () => {
    const sourceRoot = await tree({
      'main.ts': "const name = 'plugin'\nexport const load = async () => await import(`./${name}.ts`)\n",
      'plugin.ts': "import './plugin-dep.ts'\n",
      'plugin-dep.ts': 'export {}\n'
    })
    await assert.rejects(importGraph({ sourceRoot, entries: ['main.ts'] }), (err: unknown) => {
      assert.ok(err instanceof UnresolvedImportError)
      assert.match(err.message, /^main\.ts: cannot tell what line 2 \(import\(`\.\/\$\{name\}\.ts`\)\) loads/)
      return true
    })
    const graph = await importGraph({ sourceRoot, entries: ['main.ts'], runtimeLoads: { 'main.ts': ['plugin.ts'] } })
    assert.deepEqual(graph.files, ['main.ts', 'plugin-dep.ts', 'plugin.ts'])
  })

  it('fails on a worker URL built at run time, as grind.ts builds it, unless declared', async () => {
    const sourceRoot = await tree({
      'grind.ts': "const workerUrl = new URL(`./grind-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)\nexport { workerUrl }\n",
      'grind-worker.ts': 'export {}\n'
    })
    await assert.rejects(importGraph({ sourceRoot, entries: ['grind.ts'] }), UnresolvedImportError)
    const graph = await importGraph({ sourceRoot, entries: ['grind.ts'], runtimeLoads: { 'grind.ts': ['grind-worker.ts'] } })
    assert.deepEqual(graph.files, ['grind-worker.ts', 'grind.ts'])
  })

  it('fails on paths built from import.meta.dirname, filename or url', async () => {
    for (const use of ["import.meta.dirname + '/x.ts'", 'import.meta.filename', "fileURLToPath(import.meta.url) + '/../x.ts'"]) {
      const sourceRoot = await tree({ 'main.ts': `declare function fileURLToPath (url: string): string\nexport const path = ${use}\n` })
      await assert.rejects(importGraph({ sourceRoot, entries: ['main.ts'] }), UnresolvedImportError, use)
    }
  })

  it('fails on declared run-time loads that have gone stale', async () => {
    const sourceRoot = await tree({ 'main.ts': "import './a.ts'\n", 'a.ts': 'export {}\n', 'b.ts': 'export {}\n' })
    await assert.rejects(importGraph({ sourceRoot, entries: ['main.ts'], runtimeLoads: { 'a.ts': ['b.ts'] } }), (err: unknown) => err instanceof StaleRuntimeLoadError && /a\.ts is declared to load files/.test(err.message))
    await assert.rejects(importGraph({ sourceRoot, entries: ['main.ts'], runtimeLoads: { 'b.ts': ['a.ts'] } }), (err: unknown) => err instanceof StaleRuntimeLoadError && /declared for b\.ts, which the entries do not import/.test(err.message))
  })

  it('fails on a missing file, on imports outside the source root and on absolute or URL specifiers', async () => {
    const missing = await tree({ 'main.ts': "import './gone.ts'\n" })
    await assert.rejects(importGraph({ sourceRoot: missing, entries: ['main.ts'] }), (err: unknown) => err instanceof MissingSourceError && /gone\.ts \(imported by main\.ts\)/.test(err.message))
    const outside = await tree({ 'src/main.ts': "import '../../elsewhere.ts'\n" })
    await assert.rejects(importGraph({ sourceRoot: outside, entries: ['src/main.ts'] }), SourceOutsideRootError)
    for (const specifier of ['/abs/path.ts', 'file:///abs/path.ts', 'data:text/javascript,1', '#internal']) {
      const sourceRoot = await tree({ 'main.ts': `import '${specifier}'\n` })
      await assert.rejects(importGraph({ sourceRoot, entries: ['main.ts'] }), SourceOutsideRootError, specifier)
    }
  })

  it('never names the source root in what it returns', async () => {
    const sourceRoot = await tree({ 'main.ts': "import './a.ts'\n", 'a.ts': "import 'zod'\n" })
    const graph = await importGraph({ sourceRoot, entries: ['main.ts'] })
    assert.ok(!JSON.stringify(graph).includes(root))
    assert.deepEqual(graph, { files: ['a.ts', 'main.ts'], packages: ['zod'] })
  })
})
