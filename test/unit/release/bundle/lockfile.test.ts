// runtimeDependencies resolves packages through the lockfile's tree as Node would and pins each
// one the engine can load by version and integrity; it refuses what it cannot pin.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LockfileError, runtimeDependencies, UndeclaredDependencyError } from '../../../../node-core/release/bundle/lockfile.ts'

const integrity = (name: string): string => `sha512-${Buffer.from(name).toString('base64')}`

function entry (name: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity: integrity(`${name}@${version}`), ...extra }
}

/** Root needs a and c; a needs b@2 (nested under a), c needs b@1 (hoisted); d is dev only. */
function lockfile (): { lockfileVersion: number, packages: Record<string, Record<string, unknown>> } {
  return {
    lockfileVersion: 3,
    packages: {
      '': { name: 'root', version: '0.1.0', dependencies: { a: '1.0.0', '@s/c': '3.0.0' }, devDependencies: { d: '1.0.0' }, engines: { node: '>=24' } },
      'node_modules/a': entry('a', '1.0.0', { dependencies: { b: '^2.0.0' }, optionalDependencies: { 'native-only': '1.0.0' } }),
      'node_modules/a/node_modules/b': entry('b', '2.0.0'),
      'node_modules/b': entry('b', '1.0.0'),
      'node_modules/@s/c': entry('@s/c', '3.0.0', { dependencies: { b: '^1.0.0' }, peerDependencies: { a: '1', 'absent-peer': '1' }, peerDependenciesMeta: { 'absent-peer': { optional: true } } }),
      'node_modules/d': entry('d', '1.0.0', { dev: true }),
      'node_modules/unused': entry('unused', '9.0.0')
    }
  }
}

describe('runtimeDependencies', () => {
  it('resolves nested before hoisted packages and pins the closure, sorted', () => {
    const result = runtimeDependencies(lockfile(), ['a', '@s/c'])
    assert.deepEqual(result.direct, [{ name: '@s/c', version: '3.0.0' }, { name: 'a', version: '1.0.0' }])
    assert.deepEqual(result.closure.map(dependency => `${dependency.name}@${dependency.version}`), ['@s/c@3.0.0', 'a@1.0.0', 'b@1.0.0', 'b@2.0.0'])
    assert.equal(result.closure.find(dependency => dependency.version === '2.0.0')?.integrity, integrity('b@2.0.0'))
    assert.deepEqual(result.engines, { node: '>=24' })
  })

  it('takes only what the imported packages reach', () => {
    const result = runtimeDependencies(lockfile(), ['a'])
    assert.deepEqual(result.closure.map(dependency => `${dependency.name}@${dependency.version}`), ['a@1.0.0', 'b@2.0.0'])
  })

  it('refuses an import that is not a runtime dependency of the project', () => {
    assert.throws(() => runtimeDependencies(lockfile(), ['d']), (err: unknown) => err instanceof UndeclaredDependencyError && /imports d, .*only a devDependency/.test(err.message))
    assert.throws(() => runtimeDependencies(lockfile(), ['left-pad']), UndeclaredDependencyError)
  })

  it('refuses a lockfile missing a required package, but not a missing optional one', () => {
    const broken = lockfile()
    delete broken.packages['node_modules/b']
    assert.throws(() => runtimeDependencies(broken, ['@s/c']), (err: unknown) => err instanceof LockfileError && /node_modules\/@s\/c needs b/.test(err.message))
    const noPeer = lockfile()
    delete noPeer.packages['node_modules/a']
    delete noPeer.packages['node_modules/a/node_modules/b']
    assert.throws(() => runtimeDependencies(noPeer, ['@s/c']), (err: unknown) => err instanceof LockfileError && /needs a,/.test(err.message))
  })

  it('refuses packages it cannot pin: sha1 only, linked, aliased', () => {
    const sha1 = lockfile()
    sha1.packages['node_modules/b'] = { ...entry('b', '1.0.0'), integrity: 'sha1-AAAA' }
    assert.throws(() => runtimeDependencies(sha1, ['@s/c']), (err: unknown) => err instanceof LockfileError && /no sha256\/384\/512 integrity/.test(err.message))
    const linked = lockfile()
    linked.packages['node_modules/b'] = { resolved: '../b', link: true }
    assert.throws(() => runtimeDependencies(linked, ['@s/c']), /linked package/)
    const aliased = lockfile()
    aliased.packages['node_modules/b'] = { ...entry('b', '1.0.0'), name: 'evil-b' }
    assert.throws(() => runtimeDependencies(aliased, ['@s/c']), /alias/)
  })

  it('picks the strongest of several integrities and skips bundled packages', () => {
    const file = lockfile()
    file.packages['node_modules/b'] = { ...entry('b', '1.0.0'), integrity: `sha1-AAAA ${integrity('b@1.0.0')}`, dependencies: { inner: '1' } }
    file.packages['node_modules/b/node_modules/inner'] = { version: '1.0.0', inBundle: true }
    const result = runtimeDependencies(file, ['@s/c'])
    assert.equal(result.closure.find(dependency => dependency.name === 'b')?.integrity, integrity('b@1.0.0'))
    assert.equal(result.closure.some(dependency => dependency.name === 'inner'), false)
  })

  it('refuses what is not an npm v2/v3 lockfile', () => {
    assert.throws(() => runtimeDependencies({ lockfileVersion: 1, dependencies: {} }, ['a']), LockfileError)
    assert.throws(() => runtimeDependencies({ lockfileVersion: 3, packages: {} }, ['a']), /no root package/)
  })
})
