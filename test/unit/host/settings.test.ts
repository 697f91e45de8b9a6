import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { DEFAULT_SETTINGS, loadSettings, saveSettings, SETTINGS_FILE } from '../../../node-core/host/settings.ts'

describe('settings', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'vault-settings-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('defaults when there is no file, and round-trips owner-only', async () => {
    assert.deepEqual(await loadSettings(dir), { settings: DEFAULT_SETTINGS })
    await saveSettings(dir, { version: 1, paused: true })
    assert.deepEqual((await loadSettings(dir)).settings, { version: 1, paused: true })
    assert.equal((await stat(join(dir, SETTINGS_FILE))).mode & 0o777, 0o600)
  })

  it('moves an unreadable file aside instead of losing it, and reports it', async () => {
    await writeFile(join(dir, SETTINGS_FILE), '{"version": 1, "paused": "yes"')
    const loaded = await loadSettings(dir, () => 42)
    assert.deepEqual(loaded.settings, DEFAULT_SETTINGS)
    assert.match(loaded.problem ?? '', /moved to/)
    assert.deepEqual(await readdir(dir), [`${SETTINGS_FILE}.unreadable-42`])
    assert.equal(await readFile(join(dir, `${SETTINGS_FILE}.unreadable-42`), 'utf8'), '{"version": 1, "paused": "yes"')
  })
})
