// DESIGN §3.3, issue 4: `vault release publish --network` run in-process by a maintainer whose
// machine is not a vault and listens on nothing. Four vaults on 127.0.0.1, pinned to the test
// repository's root, must each hear the pointer by gossip and verify the release over chunks
// fetched from vaults. Loopback only, no HTTP.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Root } from '@tufjs/models'
import { releaseCommand } from '../../node-core/cli/commands/release.ts'
import { CliFailure } from '../../node-core/cli/cli-errors.ts'
import { MAX_CHUNK_BYTES } from '../../node-core/engine/store/chunk-address.ts'
import { connected, nextPointer } from '../helpers/release-network.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { parseRoot } from '../../node-core/release/metadata.ts'
import { NetworkReleaseSource } from '../../node-core/release/network/network-source.ts'
import type { ReleasePointerEvent } from '../../node-core/release/network/release-gossip.ts'
import { saveRepository } from '../../node-core/release/repository.ts'
import { verifyRelease } from '../../node-core/release/verify-release.ts'
import { bundleBytes, createFixture, stageRelease, type Fixture } from '../unit/release/release-fixtures.ts'

const VAULTS = 4
const BUNDLE_BYTES = Math.floor(1.5 * MAX_CHUNK_BYTES)
const LEARN_TIMEOUT_MS = 15_000

interface Member { vault: Vault, trustedDir: string, pointer: Promise<ReleasePointerEvent> }

describe('vault release publish --network', { timeout: 30_000 }, () => {
  let fixture: Fixture
  let root: Root
  const members: Member[] = []

  async function run (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
    const stdout: string[] = []
    const stderr: string[] = []
    const code = await releaseCommand(args, { write: text => { stdout.push(text) } }, { write: text => { stderr.push(text) } })
    return { code, stdout: stdout.join(''), stderr: stderr.join('') }
  }

  before(async () => {
    fixture = await createFixture()
    await stageRelease(fixture, '2.0.0', { bytes: bundleBytes('cli-published engine 2.0.0', BUNDLE_BYTES) })
    await saveRepository(fixture.repo)
    root = parseRoot(JSON.parse(await readFile(join(fixture.clientDir, 'root.json'), 'utf8'))).signed
    for (let i = 0; i < VAULTS; i++) {
      const bootstrap = members[0]?.vault.multiaddrs() ?? []
      const vault = await createVault({ dataDir: join(fixture.dir, `vault-${i}`), localNetwork: true, bootstrap, trustedReleaseRoot: () => root })
      const pointer = nextPointer(vault.releases, LEARN_TIMEOUT_MS)
      // Never left unhandled when a test fails before awaiting it.
      pointer.catch(() => {})
      await vault.start()
      const trustedDir = join(fixture.dir, `client-${i}`)
      await mkdir(trustedDir, { recursive: true })
      await copyFile(join(fixture.clientDir, 'root.json'), join(trustedDir, 'root.json'))
      members.push({ vault, trustedDir, pointer })
    }
    const first = members[0]
    assert.ok(first !== undefined)
    await connected(first.vault, VAULTS - 1)
    // A full mesh, so every vault knows every holder when it fetches.
    for (const { vault } of members) {
      for (const other of members) {
        if (other.vault !== vault) await vault.libp2p.dial(multiaddr(other.vault.multiaddrs()[0] ?? ''))
      }
    }
  })

  after(async () => {
    await Promise.allSettled(members.map(async ({ vault }) => { await vault.stop() }))
    await rm(fixture.dir, { recursive: true, force: true })
  })

  it('stores the release as chunks on the vaults, every vault hears the pointer and verifies the release', async () => {
    const keys = (await readdir(join(fixture.dir, 'keys'))).filter(file => /^(snapshot|timestamp)-\d+\.json$/.test(file)).map(file => join(fixture.dir, 'keys', file))
    assert.equal(keys.length, 2)
    const bootstrap = members[1]?.vault.multiaddrs()[0] ?? ''
    const outDir = join(fixture.dir, 'cli-publication')
    const published = await run('publish', '--repo', fixture.repo.dir, '--out', outDir, ...keys.flatMap(key => ['--key', key]),
      '--network', '--bootstrap', bootstrap, '--timeout', '5', '--json')
    assert.equal(published.code, 0, published.stderr)
    const result = JSON.parse(published.stdout) as { indexAddress: string, pointerVersion: number, chunks: number, files: number, announcedTo: number }
    assert.match(result.indexAddress, /^[0-9a-f]{64}$/)
    assert.ok(result.chunks > result.files, 'the bundle spans more than one chunk')
    assert.ok(result.announcedTo >= 1)
    assert.match(published.stderr, /found \d+ vault\(s\)/)
    assert.match(published.stderr, new RegExp(`stored chunk ${result.chunks}/${result.chunks} on [1-4] vault\\(s\\)`))
    assert.match(published.stderr, /announced the release pointer to \d+ vault\(s\)/)

    const heard = await Promise.all(members.map(async member => await member.pointer))
    for (const event of heard) {
      assert.equal(event.pointer.pointer.indexAddress, result.indexAddress)
      assert.equal(event.pointer.pointer.version, result.pointerVersion)
      // The publisher is not a vault: every vault heard it from a peer.
      assert.ok(event.from !== undefined)
    }
    await Promise.all(members.map(async member => {
      const source = new NetworkReleaseSource({ indexAddress: result.indexAddress, fetchChunk: async (address, options) => await member.vault.fetchChunk(address, options) })
      const verdict = await verifyRelease({ trustedDir: member.trustedDir, source, pinnedBuilders: fixture.pinned, now: () => fixture.now })
      assert.equal(verdict.verdict, 'verified', JSON.stringify(verdict))
      assert.equal(verdict.release.engineVersion, '2.0.0')
      assert.equal(verdict.release.length, BUNDLE_BYTES)
    }))
    // The chunks live on the vaults: copies spread over more than one of them.
    assert.ok(members.filter(member => member.vault.store.stats().chunks > 0).length >= 2)
  })

  it('exits 1 with a one-line reason when no bootstrap vault answers', async () => {
    const keys = (await readdir(join(fixture.dir, 'keys'))).filter(file => /^(snapshot|timestamp)-\d+\.json$/.test(file)).map(file => join(fixture.dir, 'keys', file))
    // A vault that stopped: its address and peer id are real, nothing listens there any more.
    const gone = await createVault({ dataDir: join(fixture.dir, 'vault-gone'), localNetwork: true })
    await gone.start()
    const address = gone.multiaddrs()[0] ?? ''
    await gone.stop()
    await assert.rejects(
      run('publish', '--repo', fixture.repo.dir, '--out', join(fixture.dir, 'cli-publication-2'), ...keys.flatMap(key => ['--key', key]), '--network', '--bootstrap', address, '--timeout', '2'),
      (err: Error) => err instanceof CliFailure && /^publishing to the network failed: no bootstrap vault reachable/.test(err.message)
    )
  })
})
