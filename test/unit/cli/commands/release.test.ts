// `vault release` in-process, as a maintainer, two builders and a client run it, in temp dirs:
// exit codes, what it prints, and that no private key material ever reaches the output.
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { releaseCommand } from '../../../../node-core/cli/commands/release.ts'
import { UsageError } from '../../../../node-core/cli/cli-errors.ts'
import { writePinnedBuilders } from '../../../../node-core/release/attestations.ts'
import { readPublicKeyFile } from '../../../../node-core/release/keys.ts'
import { ThresholdNotMetError } from '../../../../node-core/release/repository.ts'
import { bundleBytes, description } from '../../release/release-fixtures.ts'

describe('vault release', () => {
  let dir = ''
  const printed: string[] = []
  async function run (...args: string[]): Promise<{ code: number, text: string }> {
    const chunks: string[] = []
    const code = await releaseCommand(args, { write: text => { chunks.push(text); printed.push(text) } })
    return { code, text: chunks.join('') }
  }
  const path = (...parts: string[]): string => join(dir, ...parts)

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'vault-release-cli-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('refuses bad usage with UsageError (exit 2 in vault), before touching anything', async () => {
    await assert.rejects(run(), UsageError)
    await assert.rejects(run('frobnicate'), /needs a subcommand: init, keygen, rotate/)
    await assert.rejects(run('init', '--keys', path('k')), /--repo is required/)
    await assert.rejects(run('init', '--repo', path('r'), '--keys', path('k'), '--targets', '4-of-3'), /--targets expects K-of-N with 1 <= K <= N, got "4-of-3"/)
    await assert.rejects(run('init', '--repo', path('r'), '--keys', path('k'), '--expires', 'sometimes=3'), /--expires expects a role/)
    await assert.rejects(run('sign', '--repo', path('r'), '--role', 'targets'), /--key is required/)
    await assert.rejects(run('verify', '--bogus'), (err: Error & { code?: string }) => err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    assert.deepEqual(await readdir(dir), [])
    const help = await run('help')
    assert.equal(help.code, 0)
    assert.match(help.text, /publish --repo DIR --out DIR --key FILE\.\.\. \[--network --bootstrap MULTIADDR\.\.\. \[--timeout S\] \[--json\]\]/)
    assert.doesNotMatch(help.text, /not done yet/)
  })

  it('refuses bad --network usage with UsageError before reading the repository or writing anything', async () => {
    const peer = '12D3KooWL7SwLV3nNZihvHD7podVBBHhuBH8v2v7d2anNMZuL5tp'
    const base = ['publish', '--repo', path('no-repo'), '--out', path('no-out'), '--key', path('no-key.json')]
    await assert.rejects(run(...base, '--network'), (err: Error) => err instanceof UsageError && /--network needs at least one --bootstrap/.test(err.message))
    await assert.rejects(run(...base, '--bootstrap', `/ip4/127.0.0.1/tcp/4001/p2p/${peer}`), (err: Error) => err instanceof UsageError && /--bootstrap and --timeout are for --network/.test(err.message))
    await assert.rejects(run(...base, '--timeout', '5'), (err: Error) => err instanceof UsageError && /are for --network/.test(err.message))
    await assert.rejects(run(...base, '--json'), (err: Error) => err instanceof UsageError && /--json is for --network/.test(err.message))
    await assert.rejects(run(...base, '--network', '--bootstrap', 'vault.example:4001'), (err: Error) => err instanceof UsageError && /--bootstrap expects a multiaddr, got "vault\.example:4001"/.test(err.message))
    await assert.rejects(run(...base, '--network', '--bootstrap', '/ip4/127.0.0.1/tcp/4001'), (err: Error) => err instanceof UsageError && /ending in \/p2p\/PEER_ID/.test(err.message))
    await assert.rejects(run(...base, '--network', '--bootstrap', `/ip4/127.0.0.1/tcp/4001/p2p/${peer}`, '--timeout', '0'), (err: Error) => err instanceof UsageError && /--timeout expects a number from 1 to 600, got "0"/.test(err.message))
    assert.deepEqual(await readdir(dir), [])
  })

  it('init, keygen, attest by 2 of 3 builders, add-target, sign, publish, verify; then rotate and verify again; a tampered bundle exits 1', async () => {
    const init = await run('init', '--repo', path('repo'), '--keys', path('keys'), '--expires', 'timestamp=2')
    assert.equal(init.code, 0)
    assert.match(init.text, /targets +2 of 3: [0-9a-f]{12} \(.*targets-1\.json\)/)
    for (const name of ['alice', 'bob', 'carol', 'targets-4']) {
      const made = await run('keygen', '--out', path('people', `${name}.json`), '--label', name)
      assert.equal(made.code, 0)
      assert.match(made.text, /^key [0-9a-f]{64}\n/)
    }
    const builders = await Promise.all(['alice', 'bob', 'carol'].map(async name => await readPublicKeyFile(path('people', `${name}.pub.json`))))
    await writePinnedBuilders(path('builders.json'), { threshold: 2, keys: builders })

    await writeFile(path('vault-engine-1.0.0.tar'), bundleBytes('cli engine'))
    await writeFile(path('release.json'), JSON.stringify(description('1.0.0')))
    for (const name of ['alice', 'bob']) {
      const attested = await run('attest', '--bundle', path('vault-engine-1.0.0.tar'), '--engine-version', '1.0.0', '--key', path('people', `${name}.json`), '--out', path(`${name}.attestation.json`))
      assert.equal(attested.code, 0)
    }
    const added = await run('add-target', '--repo', path('repo'), '--bundle', path('vault-engine-1.0.0.tar'), '--release', path('release.json'),
      '--attestation', path('alice.attestation.json'), '--attestation', path('bob.attestation.json'))
    assert.match(added.text, /staged targets v2 with vault-engine-1\.0\.0\.tar \(4096 bytes, .*2 attestation\(s\)\)/)
    const online = ['--key', path('keys', 'snapshot-1.json'), '--key', path('keys', 'timestamp-1.json')]
    await assert.rejects(run('publish', '--repo', path('repo'), '--out', path('pub'), ...online), ThresholdNotMetError)
    const signed = await run('sign', '--repo', path('repo'), '--role', 'targets', '--key', path('keys', 'targets-1.json'), '--key', path('keys', 'targets-2.json'))
    assert.match(signed.text, /2 of 2 required signatures \(threshold met\)/)
    const published = await run('publish', '--repo', path('repo'), '--out', path('pub'), ...online)
    assert.match(published.text, /published timestamp v\d+, targets v2, root v1/)

    const client = ['--trusted', path('client'), '--from', path('pub'), '--builders', path('builders.json')]
    const verified = await run('verify', ...client, '--root', path('pub', '1.root.json'), '--json')
    assert.equal(verified.code, 0)
    const verdict = JSON.parse(verified.text) as { verdict: string, release: { engineVersion: string, attestedBy: string[] } }
    assert.equal(verdict.verdict, 'verified')
    assert.deepEqual(verdict.release.attestedBy, builders.slice(0, 2).map(key => key.keyid).sort())
    await assert.rejects(run('verify', ...client, '--root', path('pub', '1.root.json')), /already has a trusted root/)

    // Rotation: targets-1 leaves, targets-4 joins; the new root needs root keys (old and new are the same here).
    const targets1 = await readPublicKeyFile(path('keys', 'targets-1.json'))
    const rotated = await run('rotate', '--repo', path('repo'), '--remove', `targets=${targets1.keyid}`, '--add', `targets=${path('people', 'targets-4.pub.json')}`)
    assert.match(rotated.text, /staged root v2; root v2: 0 of 2 required signatures, and 0 of 2 from root v1's keys/)
    await run('sign', '--repo', path('repo'), '--role', 'root', '--key', path('keys', 'root-1.json'), '--key', path('keys', 'root-3.json'))
    await assert.rejects(run('sign', '--repo', path('repo'), '--role', 'targets', '--key', path('keys', 'targets-1.json')), /is not a targets key of root v2/)
    await run('sign', '--repo', path('repo'), '--role', 'targets', '--key', path('keys', 'targets-2.json'), '--key', path('people', 'targets-4.json'))
    await run('publish', '--repo', path('repo'), '--out', path('pub'), ...online)
    const again = await run('verify', ...client)
    assert.equal(again.code, 0)
    assert.match(again.text, /verified vault-engine-1\.0\.0\.tar: engine 1\.0\.0\n.*\(targets v2, root v2\)/s)
    assert.match(again.text, /egress none/)

    const bundleName = (await readdir(path('pub', 'targets')))[0] ?? ''
    await writeFile(path('pub', 'targets', bundleName), bundleBytes('tampered', 4096))
    const rejected = await run('verify', ...client)
    assert.equal(rejected.code, 1)
    assert.match(rejected.text, /^rejected \(bundle-hash-mismatch\)\n {2}the bundle differs/)
  })

  it('never prints private key material', async () => {
    const secrets: string[] = []
    for (const folder of ['keys', 'people']) {
      for (const file of await readdir(path(folder))) {
        const json = JSON.parse(await readFile(path(folder, file), 'utf8')) as { private?: string }
        if (json.private !== undefined) secrets.push(json.private)
      }
    }
    // 3 root, 3 targets, 1 snapshot, 1 timestamp; 3 builders and targets-4.
    assert.equal(secrets.length, 8 + 4)
    const output = printed.join('')
    assert.ok(output.length > 1000)
    for (const secret of secrets) {
      assert.equal(output.includes(secret), false)
      assert.equal(output.includes(Buffer.from(secret, 'hex').toString('base64url')), false)
    }
  })

  it('refuses a private key file that others can read', async () => {
    await mkdir(path('loose'), { recursive: true })
    await run('keygen', '--out', path('loose', 'k.json'))
    await chmod(path('loose', 'k.json'), 0o644)
    await assert.rejects(run('attest', '--bundle', path('vault-engine-1.0.0.tar'), '--engine-version', '1.0.0', '--key', path('loose', 'k.json'), '--out', path('x.json')), /readable by others \(mode 644\)/)
  })
})
