import { open } from 'node:fs/promises'

/**
 * Reads a file whose size the index already knows in one read (fs.promises.readFile stats and
 * reads in pieces: several thread-pool hops per chunk on the hot path of every get).
 */
export async function readWholeFile (path: string, expectedSize: number): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = new Uint8Array(expectedSize + 1)
    let filled = 0
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    // A file that grew past its indexed size reads one byte long and so fails its hash check.
    return buffer.subarray(0, filled)
  } finally {
    await handle.close()
  }
}
