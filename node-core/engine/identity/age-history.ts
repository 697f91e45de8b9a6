// The vault's age history (issue 3 deliver 7): every name it has had, kept in
// <dataDir>/age-history.json, the last MAX_AGE_HISTORY of them. Age is the name's last byte
// (DESIGN §2), so each new name is a new age: a first start's (age 5), each relocation's (age + 1),
// each demotion's (half its age). A vault from before the history starts it with the name it has
// then, as 'earlier', at an unknown time (null): identity.json's mtime is no witness (backups and
// copies reset it). An unreadable file is kept aside and reported when the vault opens it; the
// names recorded while it is unreadable are not (the file is left as it is), so the new history
// starts with the current name as 'earlier'.
import { join } from 'node:path'
import { z } from 'zod'
import { AgeHistoryEntrySchema, MAX_AGE_HISTORY, type AgeHistoryEntry } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'
import { readJsonFile, readJsonFileKeepingUnreadable, writeJsonFile } from '../../storage/json-file.ts'
import { nameToHex } from '../section/known-vaults.ts'

export const AGE_HISTORY_FILE = 'age-history.json'

const AgeHistoryFileSchema = z.object({
  version: z.literal(1),
  /** Oldest first. */
  entries: z.array(AgeHistoryEntrySchema).max(MAX_AGE_HISTORY)
}).strict()

class AgeHistoryFileError extends namedError('AgeHistoryFileError') {}

export interface AgeHistory {
  entries: AgeHistoryEntry[]
  /** Why the kept history could not be read, if it could not (the file is kept aside). */
  problem?: string
}

interface NamedAge { name: Uint8Array, age: number }

/** How a vault came by a name it grinds now. */
export type NewNameReason = Exclude<AgeHistoryEntry['reason'], 'earlier'>

/**
 * Appends the name just ground to the history. When the history has no entry yet, `previous` (the
 * name given up, if any) starts it as 'earlier'. An unreadable history is left untouched for
 * openAgeHistory to keep aside and report: a new name never waits on its history.
 */
export async function recordNewName (dataDir: string, identity: NamedAge, reason: NewNameReason, options: { now?: () => number, previous?: NamedAge } = {}): Promise<void> {
  const path = join(dataDir, AGE_HISTORY_FILE)
  let entries: AgeHistoryEntry[]
  try {
    entries = (await readJsonFile(path, AgeHistoryFileSchema, problem => new AgeHistoryFileError(`${path} ${problem}`)))?.entries ?? []
  } catch {
    return
  }
  if (entries.length === 0 && options.previous !== undefined) entries = [earlierEntry(options.previous)]
  const now = options.now ?? Date.now
  await saveEntries(path, withEntry(entries, { at: now(), name: nameToHex(identity.name), age: identity.age, reason }))
}

/**
 * The history as the vault reports it, read when it is created. A history that does not end with
 * the current name (none kept yet, kept aside as unreadable, or a stop between grinding and
 * recording) gets it as 'earlier' and is written, so the names that follow append after it.
 */
export async function openAgeHistory (dataDir: string, identity: NamedAge, options: { now?: () => number } = {}): Promise<AgeHistory> {
  const path = join(dataDir, AGE_HISTORY_FILE)
  const read = await readJsonFileKeepingUnreadable(path, AgeHistoryFileSchema, options.now ?? Date.now)
  let entries = read.value?.entries ?? []
  if (entries.at(-1)?.name !== nameToHex(identity.name)) {
    entries = withEntry(entries, earlierEntry(identity))
    await saveEntries(path, entries)
  }
  if (read.problem === undefined) return { entries }
  const kept = read.aside === undefined ? 'it could not be copied aside' : `it is kept as ${read.aside}`
  return { entries, problem: `${read.problem}; ${kept}, and the history starts again from the current name` }
}

function earlierEntry (identity: NamedAge): AgeHistoryEntry {
  return { at: null, name: nameToHex(identity.name), age: identity.age, reason: 'earlier' }
}

/** The entries with `entry` last, the oldest dropped past MAX_AGE_HISTORY. */
function withEntry (entries: readonly AgeHistoryEntry[], entry: AgeHistoryEntry): AgeHistoryEntry[] {
  return [...entries, entry].slice(-MAX_AGE_HISTORY)
}

async function saveEntries (path: string, entries: AgeHistoryEntry[]): Promise<void> {
  await writeJsonFile(path, AgeHistoryFileSchema.parse({ version: 1, entries }))
}
