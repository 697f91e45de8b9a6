import assert from 'node:assert/strict'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  BackupDamagedError, backupData, backupName, BACKUP_MANIFEST, pruneBackups, readBackup, restoreData
} from '../../../../node-core/upgrade/switch/data-backup.ts'

const AT = Date.UTC(2025, 10, 21, 11, 47, 3, 123)
const CHUNK = 'ab'.repeat(32)

async function exists (path: string): Promise<boolean> {
  return await lstat(path).then(() => true, () => false)
}

describe('data backup for a switch', () => {
  let dir = ''
  let dataDir = ''
  let backupsDir = ''

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switch-backup-'))
    dataDir = join(dir, 'vault')
    backupsDir = join(dataDir, 'backups')
    await mkdir(join(dataDir, 'store', 'chunks', 'ab'), { recursive: true })
    await mkdir(join(dataDir, 'store', 'quarantine'), { recursive: true })
    await writeFile(join(dataDir, 'identity.json'), '{"version":1,"seed":"00"}\n', { mode: 0o600 })
    await writeFile(join(dataDir, 'store', 'format.json'), '{"format":1}\n')
    await writeFile(join(dataDir, 'store', 'chunks', 'ab', CHUNK), 'chunk bytes')
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('copies every file but the chunks into a timestamped directory, manifest last', async () => {
    const backup = await backupData(dataDir, backupsDir, AT)
    assert.equal(backup.dir, join(backupsDir, backupName(AT)))
    assert.equal(backupName(AT), '2025-11-21T11-47-03.123Z')
    assert.deepEqual(backup.manifest.entries.map(entry => `${entry.kind} ${entry.path}`), [
      'file identity.json', 'dir store', 'file store/format.json', 'dir store/quarantine'
    ])
    assert.equal(await readFile(join(backup.dir, 'files', 'identity.json'), 'utf8'), '{"version":1,"seed":"00"}\n')
    assert.ok(!await exists(join(backup.dir, 'files', 'store', 'chunks')), 'chunk files are not copied')
    assert.ok(await exists(join(backup.dir, BACKUP_MANIFEST)))
    assert.deepEqual(await readBackup(backup.dir), backup)
  })

  it('never overwrites an earlier backup taken at the same millisecond', async () => {
    const first = await backupData(dataDir, backupsDir, AT)
    const second = await backupData(dataDir, backupsDir, AT)
    assert.notEqual(first.dir, second.dir)
    assert.ok(!second.manifest.entries.some(entry => entry.path.startsWith('backups')), 'backups are not backed up')
  })

  it('restores the data dir exactly: changed files back byte for byte, added files and dirs gone, chunks kept', async () => {
    const before = await readFile(join(dataDir, 'identity.json'))
    const backup = await backupData(dataDir, backupsDir, AT)
    // What a migration by a new version might do.
    await writeFile(join(dataDir, 'identity.json'), '{"version":2}\n', { mode: 0o644 })
    await rm(join(dataDir, 'store', 'format.json'))
    await writeFile(join(dataDir, 'store', 'format-v2.json'), '{"format":2}\n')
    await mkdir(join(dataDir, 'migrations', 'done'), { recursive: true })
    await writeFile(join(dataDir, 'migrations', 'done', 'log'), 'x')
    await rm(join(dataDir, 'store', 'quarantine'), { recursive: true })
    const addedChunk = 'cd'.repeat(32)
    await mkdir(join(dataDir, 'store', 'chunks', 'cd'))
    await writeFile(join(dataDir, 'store', 'chunks', 'cd', addedChunk), 'new chunk')

    await restoreData(dataDir, backupsDir, backup)

    assert.deepEqual(await readFile(join(dataDir, 'identity.json')), before)
    assert.equal((await stat(join(dataDir, 'identity.json'))).mode & 0o777, 0o600)
    assert.equal(await readFile(join(dataDir, 'store', 'format.json'), 'utf8'), '{"format":1}\n')
    assert.ok(!await exists(join(dataDir, 'store', 'format-v2.json')))
    assert.ok(!await exists(join(dataDir, 'migrations')))
    assert.ok(await exists(join(dataDir, 'store', 'quarantine')))
    assert.equal(await readFile(join(dataDir, 'store', 'chunks', 'ab', CHUNK), 'utf8'), 'chunk bytes')
    assert.equal(await readFile(join(dataDir, 'store', 'chunks', 'cd', addedChunk), 'utf8'), 'new chunk', 'chunks stored since are kept')
    assert.deepEqual((await readdir(dataDir)).sort(), ['backups', 'identity.json', 'store'])
  })

  it('refuses a damaged backup before touching the data dir', async () => {
    const backup = await backupData(dataDir, backupsDir, AT)
    await writeFile(join(backup.dir, 'files', 'identity.json'), 'tampered')
    await writeFile(join(dataDir, 'identity.json'), 'migrated')
    await assert.rejects(restoreData(dataDir, backupsDir, backup), (err: Error) => err.name === BackupDamagedError.NAME)
    assert.equal(await readFile(join(dataDir, 'identity.json'), 'utf8'), 'migrated')
  })

  it('refuses a manifest path that leaves the data dir', async () => {
    const backup = await backupData(dataDir, backupsDir, AT)
    const escaping = { ...backup, manifest: { ...backup.manifest, entries: [{ kind: 'dir' as const, path: '../outside', mode: 0o700 }] } }
    await assert.rejects(restoreData(dataDir, backupsDir, escaping), (err: Error) => err.name === BackupDamagedError.NAME)
    assert.ok(!await exists(join(dir, 'outside')))
  })

  it('reads an incomplete backup (no manifest) as none', async () => {
    await mkdir(join(backupsDir, 'partial', 'files'), { recursive: true })
    assert.equal(await readBackup(join(backupsDir, 'partial')), undefined)
  })

  it('prunes all but the newest backups, sparing the protected one', async () => {
    const made = []
    for (let i = 0; i < 4; i++) made.push((await backupData(dataDir, backupsDir, AT + i * 1000)).dir)
    const removed = await pruneBackups(backupsDir, 2, [made[0] ?? ''])
    assert.deepEqual(removed, [made[1]])
    assert.deepEqual((await readdir(backupsDir)).map(name => join(backupsDir, name)).sort(), [made[0], made[2], made[3]])
  })
})
