// The owner's settings, on disk next to the vault's data. A file that cannot be read is moved
// aside (never overwritten in place) and the defaults are used, with a notice.
import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeJsonFile } from '../storage/json-file.ts'

export const SETTINGS_FILE = 'settings.json'

export const SettingsSchema = z.object({
  version: z.literal(1),
  paused: z.boolean(),
  /** The vault left the network: the host keeps it stopped until the owner resumes it, under its next name. */
  left: z.object({ at: z.number().int().nonnegative(), rejoinAge: z.number().int().min(0).max(255) }).strict().optional()
})
export type Settings = z.infer<typeof SettingsSchema>

export const DEFAULT_SETTINGS: Settings = { version: 1, paused: false }

export interface LoadedSettings {
  settings: Settings
  /** Set when the file was unreadable and was moved aside. */
  problem?: string
}

export async function loadSettings (dataDir: string, now: () => number = Date.now): Promise<LoadedSettings> {
  const path = join(dataDir, SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: DEFAULT_SETTINGS }
    throw err
  }
  let parsed: z.ZodSafeParseResult<Settings> | undefined
  try {
    parsed = SettingsSchema.safeParse(JSON.parse(text))
  } catch {
    parsed = undefined
  }
  if (parsed?.success === true) return { settings: parsed.data }
  const aside = `${path}.unreadable-${now()}`
  await rename(path, aside)
  return { settings: DEFAULT_SETTINGS, problem: `${path} could not be read and was moved to ${aside}; defaults are in use` }
}

export async function saveSettings (dataDir: string, settings: Settings): Promise<void> {
  await writeJsonFile(join(dataDir, SETTINGS_FILE), SettingsSchema.parse(settings))
}
