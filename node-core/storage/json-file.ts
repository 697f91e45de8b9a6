// JSON files the vault keeps (identity, settings, keys, voter state, host.json): written
// atomically and owner-only, read back through a schema, never overwritten when unreadable.
import { copyFile, mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { syncDirectory } from './sync-directory.ts'

/** Writes a JSON file atomically (temp file, fsync, rename, directory fsync), owner-only. */
export async function writeJsonFile (path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.tmp-${process.pid}`
  const file = await open(temp, 'w', 0o600)
  try {
    await file.writeFile(JSON.stringify(value, null, 2) + '\n')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
  await syncDirectory(dirname(path))
}

/**
 * Reads a JSON file through a schema. Undefined when the file does not exist; otherwise the
 * caller's error, given what is wrong ("is not valid JSON", "is malformed: …"), and the file is
 * left as it is.
 */
export async function readJsonFile<T> (path: string, schema: z.ZodType<T>, fail: (problem: string) => Error): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw fail('is not valid JSON')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw fail(`is malformed: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export type KeptJsonFile<T> =
  | { value: T | undefined, problem?: undefined }
  /** `aside`: where the unreadable file was copied; undefined when even the copy failed. */
  | { value: undefined, problem: string, aside: string | undefined }

/**
 * Reads a JSON file through a schema; one that cannot be read is copied aside to
 * `<path>.unreadable-<now>` and described, never silently dropped: the caller starts afresh and
 * reports `problem` (the reward records, the age history).
 */
export async function readJsonFileKeepingUnreadable<T> (path: string, schema: z.ZodType<T>, now: () => number): Promise<KeptJsonFile<T>> {
  try {
    return { value: await readJsonFile(path, schema, problem => new Error(`${path} ${problem}`)) }
  } catch (err) {
    const aside = `${path}.unreadable-${now()}`
    const copied = await copyFile(path, aside).then(() => true, () => false)
    return { value: undefined, problem: (err instanceof Error ? err.message : String(err)).slice(0, 500), aside: copied ? aside : undefined }
  }
}
