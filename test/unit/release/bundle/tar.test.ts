// The ustar writer is deterministic and standard (checked field by field against POSIX and
// against GNU tar), and the reader refuses what a hostile archive could carry.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  assertSafeTarPath, BLOCK_SIZE, DuplicateTarEntryError, readTar, TarEntryTooLargeError, TarFormatError, TarLinkError,
  TarTooLargeError, UnsafeTarPathError, writeTar, type TarFile
} from '../../../../node-core/release/bundle/tar.ts'
import { ascii, editHeader, expectedChecksum, headerOffsets } from './tar-craft.ts'

const text = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Deterministic bytes of every value 0..255, so padding and binary content are exercised. */
function patterned (length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + seed) % 256)
}

const FILES: TarFile[] = [
  { path: 'node-core/engine/vault.ts', bytes: text('export const a = 1\n') },
  { path: 'contract/named-error.ts', bytes: patterned(BLOCK_SIZE, 7) },
  { path: 'empty.txt', bytes: new Uint8Array(0) },
  { path: 'node-core/engine/store/chunk-store.ts', bytes: patterned(BLOCK_SIZE * 3 + 1, 3) },
  { path: 'package.json', bytes: text('{}\n') }
]

function header (archive: Uint8Array, offset: number): Uint8Array {
  return archive.subarray(offset, offset + BLOCK_SIZE)
}

function hasTar (): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('writeTar', () => {
  it('round-trips files and adds their parent directories, in sorted order', () => {
    const entries = readTar(writeTar(FILES))
    assert.deepEqual(entries.map(entry => `${entry.type} ${entry.path}`), [
      'directory contract',
      'file contract/named-error.ts',
      'file empty.txt',
      'directory node-core',
      'directory node-core/engine',
      'directory node-core/engine/store',
      'file node-core/engine/store/chunk-store.ts',
      'file node-core/engine/vault.ts',
      'file package.json'
    ])
    for (const file of FILES) {
      const entry = entries.find(candidate => candidate.path === file.path)
      assert.ok(entry !== undefined, file.path)
      assert.deepEqual(entry.bytes, file.bytes, file.path)
    }
  })

  it('gives the same bytes whatever order the files come in', () => {
    assert.deepEqual(writeTar([...FILES].reverse()), writeTar(FILES))
    assert.deepEqual(writeTar([FILES[2], FILES[0], FILES[4], FILES[1], FILES[3]].filter(file => file !== undefined)), writeTar(FILES))
  })

  it('writes POSIX ustar headers with zero times and owners, fixed modes and valid checksums', () => {
    const archive = writeTar(FILES)
    const offsets = headerOffsets(archive)
    assert.equal(offsets.length, 9)
    for (const offset of offsets) {
      const block = header(archive, offset)
      const isDirectory = ascii(block.subarray(156, 157)) === '5'
      assert.equal(ascii(block.subarray(100, 108)), isDirectory ? '0000755' : '0000644', 'mode')
      assert.equal(ascii(block.subarray(108, 116)), '0000000', 'uid')
      assert.equal(ascii(block.subarray(116, 124)), '0000000', 'gid')
      assert.equal(ascii(block.subarray(136, 148)), '00000000000', 'mtime')
      assert.ok(block.subarray(265, 329).every(byte => byte === 0), 'uname and gname are empty')
      assert.deepEqual([...block.subarray(257, 265)], [...text('ustar\u000000')], 'magic and version')
      assert.ok(block.subarray(157, 257).every(byte => byte === 0), 'no link name')
      // Six octal digits, NUL, space.
      const checksum = block.subarray(148, 156)
      assert.match(ascii(checksum), /^[0-7]{6}$/)
      assert.equal(checksum[6], 0)
      assert.equal(checksum[7], 0x20)
      assert.equal(Number.parseInt(ascii(checksum), 8), expectedChecksum(block))
    }
    const vault = offsets.map(offset => header(archive, offset)).find(block => ascii(block.subarray(0, 100)) === 'node-core/engine/vault.ts')
    assert.ok(vault !== undefined)
    assert.equal(ascii(vault.subarray(124, 136)), '00000000023', 'size of 19 bytes, in octal')
    assert.equal(ascii(vault.subarray(156, 157)), '0')
    assert.equal(ascii(header(archive, 0).subarray(0, 100)), 'contract/', 'directory names end in /')
  })

  it('ends with two zero blocks and pads every file to whole blocks', () => {
    const archive = writeTar(FILES)
    const dataBlocks = FILES.reduce((blocks, file) => blocks + Math.ceil(file.bytes.length / BLOCK_SIZE), 0)
    assert.equal(archive.length, (9 + dataBlocks + 2) * BLOCK_SIZE)
    assert.ok(archive.subarray(archive.length - 2 * BLOCK_SIZE).every(byte => byte === 0))
  })

  it('puts long paths in the ustar prefix field and refuses what cannot fit', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}.ts`
    const archive = writeTar([{ path: long, bytes: text('x') }])
    const fileHeader = headerOffsets(archive).map(offset => header(archive, offset)).find(block => ascii(block.subarray(156, 157)) === '0')
    assert.ok(fileHeader !== undefined)
    assert.equal(ascii(fileHeader.subarray(345, 500)), `${'d'.repeat(60)}/${'e'.repeat(60)}`)
    assert.equal(ascii(fileHeader.subarray(0, 100)), `${'f'.repeat(90)}.ts`)
    assert.deepEqual(readTar(archive).map(entry => entry.path).at(-1), long)
    assert.throws(() => writeTar([{ path: `dir/${'n'.repeat(101)}`, bytes: text('x') }]), UnsafeTarPathError)
  })

  it('refuses unsafe, duplicate and conflicting paths', () => {
    for (const path of ['/etc/passwd', '../up.ts', 'a/../../b', 'a//b', './a', 'a/.', 'with space', 'back\\slash', 'caf\u00e9', '']) {
      assert.throws(() => writeTar([{ path, bytes: text('x') }]), UnsafeTarPathError, path)
    }
    assert.throws(() => writeTar([{ path: 'a', bytes: text('1') }, { path: 'a', bytes: text('2') }]), DuplicateTarEntryError)
    assert.throws(() => writeTar([{ path: 'a', bytes: text('1') }, { path: 'a/b', bytes: text('2') }]), DuplicateTarEntryError)
  })

  it('accepts relative portable paths', () => {
    for (const path of ['a', 'node-core/engine/engine-main.ts', 'x/.hidden', 'v1.2/file_name-1']) assert.doesNotThrow(() => { assertSafeTarPath(path) }, path)
  })
})

describe('readTar', () => {
  const archive = writeTar(FILES)
  const fileOffset = (path: string): number => {
    const offset = headerOffsets(archive).find(candidate => ascii(header(archive, candidate).subarray(0, 100)) === path)
    assert.ok(offset !== undefined, path)
    return offset
  }

  it('refuses path traversal and absolute paths', () => {
    const offset = fileOffset('package.json')
    assert.throws(() => readTar(editHeader(archive, offset, { name: '../package.json' })), UnsafeTarPathError)
    assert.throws(() => readTar(editHeader(archive, offset, { name: '/etc/cron.d/x' })), UnsafeTarPathError)
    assert.throws(() => readTar(editHeader(archive, offset, { name: 'x.ts', prefix: 'a/../..' })), UnsafeTarPathError)
  })

  it('refuses symbolic and hard links', () => {
    const offset = fileOffset('package.json')
    assert.throws(() => readTar(editHeader(archive, offset, { typeflag: '2', linkname: '/etc/passwd' })), TarLinkError)
    assert.throws(() => readTar(editHeader(archive, offset, { typeflag: '1', linkname: 'empty.txt' })), TarLinkError)
  })

  it('refuses other entry types, a wrong checksum, a truncated archive and data after the end', () => {
    const offset = fileOffset('package.json')
    assert.throws(() => readTar(editHeader(archive, offset, { typeflag: 'x' })), TarFormatError)
    const corrupt = archive.slice()
    corrupt[offset + 10] = 0x41
    assert.throws(() => readTar(corrupt), /wrong header checksum/)
    assert.throws(() => readTar(archive.subarray(0, archive.length - 2 * BLOCK_SIZE)), TarFormatError)
    assert.throws(() => readTar(archive.subarray(0, offset + BLOCK_SIZE + 1)), TarFormatError)
    const trailing = new Uint8Array(archive.length + BLOCK_SIZE)
    trailing.set(archive)
    trailing[archive.length + 3] = 1
    assert.throws(() => readTar(trailing), /data after the end-of-archive/)
  })

  it('refuses two entries whose paths differ only in case', () => {
    const offset = fileOffset('empty.txt')
    assert.throws(() => readTar(editHeader(archive, offset, { name: 'Package.json' })), DuplicateTarEntryError)
  })

  it('enforces the entry size, total size and entry count limits', () => {
    // The largest file is 1537 bytes; all files total 2071 bytes; there are 9 entries.
    const exact = { maxEntries: 9, maxEntryBytes: 1537, maxTotalBytes: 2071 }
    assert.equal(readTar(archive, exact).length, 9)
    assert.throws(() => readTar(archive, { ...exact, maxEntryBytes: 1536 }), TarEntryTooLargeError)
    assert.throws(() => readTar(archive, { ...exact, maxTotalBytes: 2070 }), TarTooLargeError)
    assert.throws(() => readTar(archive, { ...exact, maxEntries: 8 }), TarTooLargeError)
  })
})

describe('interoperability with GNU tar', { skip: hasTar() ? false : 'no tar on this machine' }, () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tar-interop-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('GNU tar lists and extracts what writeTar wrote, byte for byte', async () => {
    const archivePath = join(dir, 'ours.tar')
    await writeFile(archivePath, writeTar(FILES))
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', archivePath], { encoding: 'utf8' })
    assert.match(listing, /^-rw-r--r-- 0\/0 +19 1970-01-01 00:00 node-core\/engine\/vault\.ts$/m)
    assert.match(listing, /^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 contract\/$/m)
    const out = join(dir, 'extracted')
    await mkdir(out)
    execFileSync('tar', ['-xf', archivePath, '-C', out])
    for (const file of FILES) assert.deepEqual(new Uint8Array(await readFile(join(out, file.path))), file.bytes, file.path)
  })

  it('readTar reads an archive GNU tar wrote in ustar format', async () => {
    const source = join(dir, 'source')
    for (const file of FILES) {
      await mkdir(join(source, file.path, '..'), { recursive: true })
      await writeFile(join(source, file.path), file.bytes)
    }
    const archivePath = join(dir, 'theirs.tar')
    execFileSync('tar', ['--format=ustar', '-cf', archivePath, '-C', source, 'contract', 'empty.txt', 'node-core', 'package.json'])
    const entries = readTar(new Uint8Array(await readFile(archivePath)))
    for (const file of FILES) assert.deepEqual(entries.find(entry => entry.path === file.path)?.bytes, file.bytes, file.path)
  })
})
