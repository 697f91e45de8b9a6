// electron-builder cannot run here (it downloads Electron), so this checks its configuration:
// every key is one electron-builder knows (against the JSON schema it ships), and the values we
// depend on are what the app needs.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { z } from 'zod'

const root = new URL('../../../', import.meta.url)
const configUrl = new URL('build/electron-builder.json', root)
const raw: unknown = JSON.parse(readFileSync(configUrl, 'utf8'))

const Platform = z.object({
  target: z.array(z.string()).min(1),
  icon: z.literal('assets/icon.png')
})

const BuilderConfig = z.object({
  appId: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/),
  productName: z.literal('Vault Manager'),
  directories: z.object({ output: z.string().min(1), buildResources: z.literal('build') }),
  files: z.array(z.string()),
  asar: z.literal(true),
  electronFuses: z.object({
    // The host forks the engine and the embedded network with child_process.fork, which runs
    // the Electron binary as Node (ELECTRON_RUN_AS_NODE): this fuse must stay on.
    runAsNode: z.literal(true),
    enableNodeCliInspectArguments: z.literal(false),
    onlyLoadAppFromAsar: z.literal(true)
  }),
  linux: Platform.extend({ category: z.literal('Utility') }),
  mac: Platform,
  win: Platform
})

type Config = z.infer<typeof BuilderConfig>
const config: Config = BuilderConfig.parse(raw)

interface JsonSchema {
  properties?: Record<string, unknown>
  definitions?: Record<string, JsonSchema>
  additionalProperties?: boolean
}

function loadBuilderSchema (): JsonSchema {
  // app-builder-lib is electron-builder's own dependency: resolve it from there.
  const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'))
  return JSON.parse(readFileSync(fromBuilder.resolve('app-builder-lib/scheme.json'), 'utf8')) as JsonSchema
}

function unknownKeys (value: unknown, schema: JsonSchema | undefined): string[] {
  if (schema?.properties === undefined || typeof value !== 'object' || value === null) return []
  const known = new Set(Object.keys(schema.properties))
  return Object.keys(value).filter((key) => !known.has(key))
}

describe('build/electron-builder.json', () => {
  it('uses only keys that electron-builder 26 knows, at the top and in each section', () => {
    const schema = loadBuilderSchema()
    const definitions = schema.definitions ?? {}
    const sections: Array<[string, string]> = [
      ['linux', 'LinuxConfiguration'],
      ['mac', 'MacConfiguration'],
      ['win', 'WindowsConfiguration'],
      ['nsis', 'NsisOptions'],
      ['deb', 'DebOptions'],
      ['electronFuses', 'FuseOptionsV1'],
      ['directories', 'MetadataDirectories']
    ]
    assert.deepEqual(unknownKeys(raw, schema), [], 'top level')
    const record = raw as Record<string, unknown>
    for (const [key, definition] of sections) {
      assert.ok(definitions[definition], `scheme.json defines ${definition}`)
      assert.deepEqual(unknownKeys(record[key], definitions[definition]), [], key)
    }
  })

  it('builds AppImage and deb for Linux, dmg for macOS and an NSIS installer for Windows', () => {
    assert.deepEqual(config.linux.target, ['AppImage', 'deb'])
    assert.deepEqual(config.mac.target, ['dmg'])
    assert.deepEqual(config.win.target, ['nsis'])
  })

  it('packs what the app loads at run time', () => {
    // main, preload and renderer are built into dist/; the host forks node-core entries; the
    // tray loads assets/*.png. Production node_modules are added by electron-builder itself.
    for (const pattern of ['dist/**/*', 'node-core/**/*', 'contract/**/*', 'assets/**/*', 'package.json']) {
      assert.ok(config.files.includes(pattern), pattern)
    }
    assert.equal(config.files.some((pattern) => pattern.startsWith('!node_modules')), false, 'dependencies are not excluded')
  })

  it('points at icons that exist and starts the main entry named in package.json', () => {
    assert.ok(existsSync(new URL(config.linux.icon, root)))
    const pkg = z.object({ main: z.string() }).parse(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')))
    assert.equal(pkg.main, 'dist/electron/main.js')
    assert.ok(config.files.some((pattern) => pattern.startsWith('dist/')), 'the main entry is packed')
  })
})
