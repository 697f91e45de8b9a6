// `vault start --release-trust FILE`: the file is checked and copied into the data dir before
// anything starts, so a bad one is a one-line failure and no host runs deaf to releases.
import assert from 'node:assert/strict'
import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CliFailure } from '../../../../node-core/cli/cli-errors.ts'
import { START_USAGE, startCommand } from '../../../../node-core/cli/commands/start.ts'
import { RELEASE_TRUST_FILE } from '../../../../node-core/release/release-trust.ts'
import { createFixture, trustFor, type Fixture } from '../../release/release-fixtures.ts'

describe('vault start --release-trust', () => {
  let fixture: Fixture

  before(async () => { fixture = await createFixture() })
  after(async () => { await fixture.cleanup() })

  it('is in the usage', () => {
    assert.match(START_USAGE, /\[--release-trust FILE\]/)
  })

  it('fails with a one-line reason on a file it cannot use, before the host starts, and copies nothing', async () => {
    const dataDir = join(fixture.dir, 'data')
    const bad = join(fixture.dir, 'bad-trust.json')
    const trust = await trustFor(fixture)
    await writeFile(bad, JSON.stringify({ ...trust, builders: { ...trust.builders, threshold: 9 } }))
    await assert.rejects(startCommand(['--headless', '--data-dir', dataDir, '--port', '0', '--release-trust', bad]), (err: Error) =>
      err instanceof CliFailure && /^the release trust file .*bad-trust\.json is not usable: builders: threshold is larger than the number of distinct builders$/.test(err.message))
    await assert.rejects(access(join(dataDir, RELEASE_TRUST_FILE)), { code: 'ENOENT' })
    await assert.rejects(startCommand(['--headless', '--data-dir', dataDir, '--release-trust', join(fixture.dir, 'nowhere.json')]), (err: Error) =>
      err instanceof CliFailure && /cannot read the release trust file .*nowhere\.json: ENOENT/.test(err.message))
  })
})
