// A minimal POSIX ustar writer and reader (POSIX.1-1988 "ustar" interchange format, as specified
// in the pax utility's description, IEEE Std 1003.1). The writer is deterministic: entries sorted
// by path, parents before children, mtime 0, uid/gid 0, empty user and group names, mode 0644 for
// files and 0755 for directories. The reader accepts only what the writer can produce (regular
// files and directories with safe relative paths) and enforces size limits, so an archive from the
// network can be inspected before anything of it touches the disk.
import { namedError } from '../../../contract/named-error.ts'

export class UnsafeTarPathError extends namedError('UnsafeTarPathError') {}
export class TarLinkError extends namedError('TarLinkError') {}
export class TarFormatError extends namedError('TarFormatError') {}
export class TarEntryTooLargeError extends namedError('TarEntryTooLargeError') {}
export class TarTooLargeError extends namedError('TarTooLargeError') {}
export class DuplicateTarEntryError extends namedError('DuplicateTarEntryError') {}

export const BLOCK_SIZE = 512
export const FILE_MODE = 0o644
export const DIRECTORY_MODE = 0o755
const NAME_FIELD = 100
const PREFIX_FIELD = 155
/** 11 octal digits in the 12-byte size field. */
const MAX_USTAR_SIZE = 8 ** 11 - 1
// The POSIX portable filename character set plus '/': no spaces, no backslashes, no colons, no
// non-ASCII, so a path means the same on every file system and in every encoding.
const PORTABLE_PATH = /^[A-Za-z0-9._/-]+$/

export interface TarFile {
  /** Relative path with '/' separators, e.g. `node-core/engine/vault.ts`. */
  readonly path: string
  readonly bytes: Uint8Array
}

export interface TarEntry {
  readonly type: 'file' | 'directory'
  /** Without the trailing '/' that directory names carry inside the archive. */
  readonly path: string
  readonly bytes: Uint8Array
}

export interface TarLimits {
  readonly maxEntries: number
  readonly maxEntryBytes: number
  /** Sum of the sizes of all files. */
  readonly maxTotalBytes: number
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxEntries: 4096,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024
}

/** Throws UnsafeTarPathError unless `path` is a relative path of portable, non-empty segments. */
export function assertSafeTarPath (path: string): void {
  const refuse = (reason: string): never => {
    throw new UnsafeTarPathError(`unsafe archive path ${JSON.stringify(path)}: ${reason}`)
  }
  if (path.length === 0) refuse('empty')
  if (path.startsWith('/')) refuse('absolute path')
  if (!PORTABLE_PATH.test(path)) refuse('characters outside the portable set [A-Za-z0-9._/-]')
  for (const segment of path.split('/')) {
    if (segment === '..') refuse('parent directory segment (..)')
    if (segment === '.') refuse('current directory segment (.)')
    if (segment === '') refuse('empty segment')
  }
  if (path.length > NAME_FIELD + 1 + PREFIX_FIELD) refuse(`longer than ${NAME_FIELD + 1 + PREFIX_FIELD} bytes`)
}

function parentDirectories (path: string): string[] {
  const segments = path.split('/')
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'))
}

/** The archive name of an entry: directories end in '/', which also orders them before children. */
function archiveName (entry: Pick<TarEntry, 'type' | 'path'>): string {
  return entry.type === 'directory' ? `${entry.path}/` : entry.path
}

/** Splits a name into the ustar `prefix` and `name` fields, or refuses. */
function splitName (name: string): { prefix: string, name: string } {
  if (name.length <= NAME_FIELD) return { prefix: '', name }
  // Split at the first '/' that leaves a name short enough: the one deterministic choice.
  for (let slash = name.indexOf('/'); slash !== -1 && slash < name.length - 1; slash = name.indexOf('/', slash + 1)) {
    const rest = name.slice(slash + 1)
    if (rest.length <= NAME_FIELD) {
      if (slash > PREFIX_FIELD) break
      return { prefix: name.slice(0, slash), name: rest }
    }
  }
  throw new UnsafeTarPathError(`archive path ${JSON.stringify(name)} does not fit the ustar name (${NAME_FIELD}) and prefix (${PREFIX_FIELD}) fields`)
}

function writeString (header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value)
  if (bytes.length > length) throw new RangeError(`"${value}" does not fit a ${length}-byte tar field`)
  header.set(bytes, offset)
}

/** Octal digits, zero-padded to fill the field but its last byte, then NUL. */
function writeOctal (header: Uint8Array, offset: number, length: number, value: number): void {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, '0') + '\0')
}

export function headerChecksum (header: Uint8Array): number {
  let sum = 0
  for (let index = 0; index < BLOCK_SIZE; index++) {
    // The checksum field itself counts as eight spaces.
    sum += index >= 148 && index < 156 ? 0x20 : header[index] ?? 0
  }
  return sum
}

function encodeHeader (entry: TarEntry): Uint8Array {
  const header = new Uint8Array(BLOCK_SIZE)
  const { prefix, name } = splitName(archiveName(entry))
  writeString(header, 0, NAME_FIELD, name)
  writeOctal(header, 100, 8, entry.type === 'directory' ? DIRECTORY_MODE : FILE_MODE)
  writeOctal(header, 108, 8, 0) // uid
  writeOctal(header, 116, 8, 0) // gid
  writeOctal(header, 124, 12, entry.bytes.length)
  writeOctal(header, 136, 12, 0) // mtime: the epoch, whenever the build ran
  writeString(header, 156, 1, entry.type === 'directory' ? '5' : '0')
  writeString(header, 257, 6, 'ustar\0')
  writeString(header, 263, 2, '00')
  // uname and gname (265, 297) stay empty; devmajor and devminor are zero.
  writeOctal(header, 329, 8, 0)
  writeOctal(header, 337, 8, 0)
  writeString(header, 345, PREFIX_FIELD, prefix)
  // Six octal digits, NUL, space: the layout every tar writes and reads.
  writeString(header, 148, 8, headerChecksum(header).toString(8).padStart(6, '0') + '\0 ')
  return header
}

function paddedLength (size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE
}

/**
 * Writes `files` and their parent directories as a ustar archive. The result depends only on the
 * paths and bytes given, never on their order, the clock, the user or the file system.
 */
export function writeTar (files: readonly TarFile[]): Uint8Array {
  const entries = new Map<string, TarEntry>()
  for (const file of files) {
    assertSafeTarPath(file.path)
    if (file.bytes.length > MAX_USTAR_SIZE) throw new TarEntryTooLargeError(`${file.path}: ${file.bytes.length} bytes do not fit the ustar size field`)
    if (entries.has(file.path)) throw new DuplicateTarEntryError(`${file.path} is given twice`)
    entries.set(file.path, { type: 'file', path: file.path, bytes: file.bytes })
  }
  for (const file of files) {
    for (const directory of parentDirectories(file.path)) {
      if (entries.get(directory)?.type === 'file') throw new DuplicateTarEntryError(`${directory} is both a file and the directory of ${file.path}`)
      entries.set(directory, { type: 'directory', path: directory, bytes: new Uint8Array(0) })
    }
  }
  const sorted = [...entries.values()].sort((a, b) => compareNames(archiveName(a), archiveName(b)))
  const size = sorted.reduce((total, entry) => total + BLOCK_SIZE + paddedLength(entry.bytes.length), 0) + 2 * BLOCK_SIZE
  const archive = new Uint8Array(size)
  let offset = 0
  for (const entry of sorted) {
    archive.set(encodeHeader(entry), offset)
    archive.set(entry.bytes, offset + BLOCK_SIZE)
    offset += BLOCK_SIZE + paddedLength(entry.bytes.length)
  }
  // The two zero blocks that end the archive are already there: the array starts zeroed.
  return archive
}

/** Code-unit order, which is byte order for the portable (ASCII) paths allowed here. */
function compareNames (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Latin-1, byte for byte: no decoding error to hide; path checks then refuse anything non-ASCII. */
function readString (header: Uint8Array, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return String.fromCharCode(...(end === -1 ? field : field.subarray(0, end)))
}

function readOctal (header: Uint8Array, offset: number, length: number, field: string): number {
  const text = readString(header, offset, length).replace(/[ ]+$/, '').replace(/^[ ]+/, '')
  if (!/^[0-7]{1,11}$/.test(text)) throw new TarFormatError(`the ${field} field is not an octal number (${JSON.stringify(text)})`)
  return Number.parseInt(text, 8)
}

function isZeroBlock (block: Uint8Array): boolean {
  return block.every(byte => byte === 0)
}

/**
 * Reads every entry of a ustar archive, refusing links, unsafe paths, duplicates (also those that
 * differ only in case, which collide on macOS and Windows) and anything over `limits`.
 */
export function readTar (archive: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): TarEntry[] {
  const entries: TarEntry[] = []
  const seen = new Map<string, Seen>()
  let totalBytes = 0
  let offset = 0
  for (;;) {
    if (offset + BLOCK_SIZE > archive.length) throw new TarFormatError('the archive ends without its end-of-archive blocks')
    const header = archive.subarray(offset, offset + BLOCK_SIZE)
    if (isZeroBlock(header)) break
    if (entries.length >= limits.maxEntries) throw new TarTooLargeError(`more than ${limits.maxEntries} entries`)
    const entry = readEntry(archive, offset, limits)
    totalBytes += entry.bytes.length
    if (totalBytes > limits.maxTotalBytes) throw new TarTooLargeError(`files total more than ${limits.maxTotalBytes} bytes`)
    checkPlacement(entry, seen)
    entries.push(entry)
    offset += BLOCK_SIZE + paddedLength(entry.bytes.length)
  }
  // One zero block has been seen; the second and any record padding must be zero as well.
  if (offset + 2 * BLOCK_SIZE > archive.length) throw new TarFormatError('the archive ends without its second end-of-archive block')
  if (!isZeroBlock(archive.subarray(offset))) throw new TarFormatError('data after the end-of-archive blocks')
  return entries
}

function readEntry (archive: Uint8Array, offset: number, limits: TarLimits): TarEntry {
  const header = archive.subarray(offset, offset + BLOCK_SIZE)
  if (readString(header, 257, 6) !== 'ustar' || readString(header, 263, 2) !== '00') throw new TarFormatError(`entry at byte ${offset} is not a POSIX ustar header`)
  const checksum = readOctal(header, 148, 8, 'checksum')
  if (checksum !== headerChecksum(header)) throw new TarFormatError(`entry at byte ${offset} has a wrong header checksum`)
  const prefix = readString(header, 345, PREFIX_FIELD)
  const rawName = prefix === '' ? readString(header, 0, NAME_FIELD) : `${prefix}/${readString(header, 0, NAME_FIELD)}`
  const typeflag = String.fromCharCode(header[156] ?? 0)
  const size = readOctal(header, 124, 12, 'size')
  const type = entryType(typeflag, rawName)
  const path = type === 'directory' ? rawName.replace(/\/$/, '') : rawName
  if (type === 'directory' && !rawName.endsWith('/')) throw new TarFormatError(`directory ${JSON.stringify(rawName)} has no trailing '/'`)
  if (type === 'file' && rawName.endsWith('/')) throw new UnsafeTarPathError(`file ${JSON.stringify(rawName)} is named like a directory`)
  assertSafeTarPath(path)
  if (type === 'directory' && size !== 0) throw new TarFormatError(`directory ${path} has a size`)
  if (size > limits.maxEntryBytes) throw new TarEntryTooLargeError(`${path} is ${size} bytes, over the limit of ${limits.maxEntryBytes}`)
  const start = offset + BLOCK_SIZE
  if (start + paddedLength(size) > archive.length) throw new TarFormatError(`${path} is cut short`)
  return { type, path, bytes: archive.slice(start, start + size) }
}

function entryType (typeflag: string, name: string): TarEntry['type'] {
  switch (typeflag) {
    case '0':
    case '\0':
      return 'file'
    case '5':
      return 'directory'
    case '1':
    case '2':
      throw new TarLinkError(`${JSON.stringify(name)} is a ${typeflag === '1' ? 'hard' : 'symbolic'} link; links are refused`)
    default:
      throw new TarFormatError(`${JSON.stringify(name)} has entry type ${JSON.stringify(typeflag)}; only files and directories are accepted`)
  }
}

type Seen = 'file' | 'directory' | 'implied directory'

function checkPlacement (entry: TarEntry, seen: Map<string, Seen>): void {
  const key = entry.path.toLowerCase()
  const before = seen.get(key)
  // A directory may come after files inside it (other writers do that); anything else is twice.
  if (before !== undefined && !(before === 'implied directory' && entry.type === 'directory')) {
    throw new DuplicateTarEntryError(`${entry.path} appears twice (paths are compared ignoring case)`)
  }
  for (const directory of parentDirectories(key)) {
    if (seen.get(directory) === 'file') throw new DuplicateTarEntryError(`${entry.path} lies under ${directory}, which is a file`)
    if (!seen.has(directory)) seen.set(directory, 'implied directory')
  }
  seen.set(key, entry.type)
}
