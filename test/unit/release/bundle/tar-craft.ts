// Hand-edits ustar archives for tests: what a hostile or broken writer could send, which the
// project's own writer refuses to produce.
import { BLOCK_SIZE } from '../../../../node-core/release/bundle/tar.ts'

/** Byte offsets of every header in an archive (stops at the first zero block). */
export function headerOffsets (archive: Uint8Array): number[] {
  const offsets: number[] = []
  let offset = 0
  while (offset + BLOCK_SIZE <= archive.length && archive.subarray(offset, offset + BLOCK_SIZE).some(byte => byte !== 0)) {
    offsets.push(offset)
    const size = Number.parseInt(ascii(archive.subarray(offset + 124, offset + 136)), 8)
    offset += BLOCK_SIZE + Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE
  }
  return offsets
}

export function ascii (bytes: Uint8Array): string {
  const end = bytes.indexOf(0)
  return String.fromCharCode(...(end === -1 ? bytes : bytes.subarray(0, end)))
}

/** POSIX: the unsigned sum of the header's bytes, the checksum field counted as eight spaces. */
export function expectedChecksum (header: Uint8Array): number {
  let sum = 0
  header.forEach((byte, index) => { sum += index >= 148 && index < 156 ? 32 : byte })
  return sum
}

export interface HeaderEdit {
  name?: string
  prefix?: string
  typeflag?: string
  linkname?: string
  /** Leave the checksum as it was, so the header is corrupt. */
  keepChecksum?: boolean
}

function setField (header: Uint8Array, offset: number, length: number, value: string): void {
  header.fill(0, offset, offset + length)
  header.set(new TextEncoder().encode(value).subarray(0, length), offset)
}

/** A copy of `archive` with the header at `offset` edited and (unless told) its checksum redone. */
export function editHeader (archive: Uint8Array, offset: number, edit: HeaderEdit): Uint8Array {
  const copy = archive.slice()
  const header = copy.subarray(offset, offset + BLOCK_SIZE)
  if (edit.name !== undefined) setField(header, 0, 100, edit.name)
  if (edit.typeflag !== undefined) setField(header, 156, 1, edit.typeflag)
  if (edit.linkname !== undefined) setField(header, 157, 100, edit.linkname)
  if (edit.prefix !== undefined) setField(header, 345, 155, edit.prefix)
  if (edit.keepChecksum !== true) setField(header, 148, 8, expectedChecksum(header).toString(8).padStart(6, '0') + '\0 ')
  return copy
}
