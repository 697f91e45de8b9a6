// `vault status` prints the vault's age history compactly, and `--json` carries it (issue 3 deliver 7).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { formatAgeHistory, SHOWN_AGE_HISTORY } from '../../../../node-core/cli/commands/status-age.ts'
import { formatStatus, statusCommand } from '../../../../node-core/cli/commands/status.ts'
import { HOST_FILE } from '../../../../node-core/host/headless-server.ts'
import type { AgeHistoryEntry } from '../../../../contract/host-api.ts'
import { sampleStatus } from '../../../helpers/sample-status.ts'

const NOV_21 = Date.UTC(2026, 10, 21, 14, 3)
const NOV_22 = Date.UTC(2026, 10, 22, 9, 10)
const entry = (age: number, reason: AgeHistoryEntry['reason'], at: number | null): AgeHistoryEntry =>
  ({ at, name: age.toString(16).padStart(2, '0').repeat(32), age, reason })

describe('vault status: age history', () => {
  it('prints each age with its reason and time, oldest first', () => {
    const ageHistory = [entry(5, 'new', NOV_21), entry(6, 'relocated', NOV_22), entry(3, 'demoted', NOV_22 + 60_000)]
    const text = formatStatus(sampleStatus({ age: 3, ageHistory }))
    assert.match(text, /^age {6}3\nhistory {2}age 5 \(new, 2026-11-21 14:03 UTC\) → 6 \(relocated, 2026-11-22 09:10 UTC\) → 3 \(demoted, 2026-11-22 09:11 UTC\)$/m)
  })

  it('gives no time for a name from before the history', () => {
    assert.deepEqual(formatAgeHistory({ name: 'x', ageHistory: [entry(9, 'earlier', null), entry(10, 'relocated', NOV_21)] }),
      ['history  age 9 (earlier) → 10 (relocated, 2026-11-21 14:03 UTC)'])
  })

  it(`shows the newest ${SHOWN_AGE_HISTORY} names and counts the earlier ones`, () => {
    const ageHistory = [entry(5, 'new', NOV_21), ...Array.from({ length: SHOWN_AGE_HISTORY + 1 }, (_, i) => entry(6 + i, 'relocated', NOV_22))]
    const [line] = formatAgeHistory({ name: 'x', ageHistory })
    assert.match(line ?? '', /^history {2}age … 2 earlier names → 7 \(relocated/)
    assert.equal((line ?? '').split('→').length, SHOWN_AGE_HISTORY + 1)
    assert.doesNotMatch(line ?? '', /new/)
  })

  it('says when the engine reports no history, and nothing while the vault starts', () => {
    assert.deepEqual(formatAgeHistory({ name: 'x', ageHistory: [] }), ['history  none reported (an engine older than the age history)'])
    assert.deepEqual(formatAgeHistory({ name: '', ageHistory: [] }), [])
  })
})

describe('vault status --json', () => {
  const ageHistory = [entry(5, 'new', NOV_21), entry(6, 'relocated', NOV_22)]
  let dataDir = ''
  let server: Server | undefined
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'status-age-test-'))
    const token = 't'.repeat(32)
    // A host stand-in on loopback that answers /api/status for the token in host.json.
    const listening = createServer((request, response) => {
      const ok = request.url === '/api/status' && request.headers.authorization === `Bearer ${token}`
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ ok: true, value: sampleStatus({ ageHistory }) }))
    })
    server = listening
    await new Promise<void>(resolve => { listening.listen(0, '127.0.0.1', resolve) })
    const { port } = listening.address() as AddressInfo
    const origin = `http://127.0.0.1:${port}`
    await writeFile(join(dataDir, HOST_FILE), JSON.stringify({ version: 1, url: `${origin}/`, origin, token, pid: process.pid, port, startedAt: 0 }))
  })
  after(async () => {
    const listening = server
    if (listening !== undefined) await new Promise<void>(resolve => { listening.close(() => { resolve() }) })
    await rm(dataDir, { recursive: true, force: true })
  })

  it('carries ageHistory', async () => {
    let written = ''
    assert.equal(await statusCommand(['--data-dir', dataDir, '--json'], text => { written += text }), 0)
    const printed = JSON.parse(written) as { ageHistory: unknown }
    assert.deepEqual(printed.ageHistory, ageHistory)
  })
})
