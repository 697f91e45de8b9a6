import { open } from 'node:fs/promises'

/** fsync a directory so a rename in it survives a power cut. Windows cannot open directories. */
export async function syncDirectory (dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
