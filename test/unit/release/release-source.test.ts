import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  DirectorySource, METADATA_BASE_URL, ReleaseFileNotFoundError, ReleaseNameError, ReleaseTooLargeError, SourceFetcher, TARGETS_BASE_URL,
  type ReleaseSource
} from '../../../node-core/release/release-source.ts'

describe('release sources', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-release-source-'))
    await mkdir(join(dir, 'mirror', 'targets'), { recursive: true })
    await writeFile(join(dir, 'mirror', 'timestamp.json'), '0123456789')
    await writeFile(join(dir, 'mirror', 'targets', 'abc.engine.tar'), 'bundle')
    await writeFile(join(dir, 'secret.json'), 'outside the mirror')
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('DirectorySource returns a file up to its cap, refuses more, and says when a file is missing', async () => {
    const source = new DirectorySource(join(dir, 'mirror'))
    assert.equal(Buffer.from(await source.fetch('timestamp.json', 10)).toString(), '0123456789')
    assert.equal(Buffer.from(await source.fetch('targets/abc.engine.tar', 100)).toString(), 'bundle')
    await assert.rejects(source.fetch('timestamp.json', 9), (err: Error) => err instanceof ReleaseTooLargeError && /is 10 bytes, more than the 9 allowed/.test(err.message))
    await assert.rejects(source.fetch('2.root.json', 100), ReleaseFileNotFoundError)
    await assert.rejects(source.fetch('timestamp.json', -1), RangeError)
    await assert.rejects(source.fetch('timestamp.json', 10, AbortSignal.abort()), { name: 'AbortError' })
  })

  it('DirectorySource never leaves its directory', async () => {
    const source = new DirectorySource(join(dir, 'mirror'))
    for (const name of ['../secret.json', 'targets/../../secret.json', '/etc/passwd', 'targets/a/b', '.hidden', 'targets/..', 'a\\..\\b', '']) {
      await assert.rejects(source.fetch(name, 1000), ReleaseNameError, name)
    }
  })

  it('SourceFetcher maps names, turns a missing file into the 404 tuf-js expects, and re-checks the cap', async () => {
    assert.equal(SourceFetcher.nameOf(`${METADATA_BASE_URL}3.root.json`), '3.root.json')
    assert.equal(SourceFetcher.nameOf(`${TARGETS_BASE_URL}abc.engine.tar`), 'targets/abc.engine.tar')
    assert.throws(() => SourceFetcher.nameOf('https://example.com/timestamp.json'), ReleaseNameError)
    const fetcher = new SourceFetcher({ source: new DirectorySource(join(dir, 'mirror')), workDir: dir, defaultMaxBytes: 100 })
    await assert.rejects(fetcher.downloadBytes(`${METADATA_BASE_URL}9.root.json`, 100), (err: Error & { statusCode?: number }) => err.statusCode === 404)
    assert.equal((await fetcher.downloadBytes(`${METADATA_BASE_URL}timestamp.json`, 100)).toString(), '0123456789')
    assert.deepEqual(fetcher.fetchedMetadata.map(file => file.name), ['timestamp.json'])
    const text = await fetcher.downloadFile(`${TARGETS_BASE_URL}abc.engine.tar`, 6, async file => await readFile(file, 'utf8'))
    assert.equal(text, 'bundle')
    assert.deepEqual(fetcher.fetchedMetadata.map(file => file.name), ['timestamp.json'], 'bundles are not kept in memory')

    const careless: ReleaseSource = { fetch: async () => new Uint8Array(50) }
    const strict = new SourceFetcher({ source: careless, workDir: dir, defaultMaxBytes: 10 })
    await assert.rejects(strict.downloadBytes(`${METADATA_BASE_URL}timestamp.json`, 49), ReleaseTooLargeError)
    await assert.rejects(strict.fetch(`${METADATA_BASE_URL}timestamp.json`), ReleaseTooLargeError)
  })
})
