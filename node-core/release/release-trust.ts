// What a live vault trusts for releases (DESIGN §3.1-3.2): the TUF root it pins and the builders
// whose attestations count, as verifyRelease takes them. The owner gives the file once
// (`vault start --release-trust FILE`); the host keeps a checked copy in its data dir, which later
// starts reuse, and hands it to the engine in its config. The root is checked here as tuf-js
// would load it (well formed, signed by its own threshold), so a bad file fails at start with a
// reason instead of quietly leaving the vault deaf to releases.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Metadata, Root } from '@tufjs/models'
import { z } from 'zod'
import { namedError } from '../../contract/named-error.ts'
import { writeJsonFile } from '../storage/json-file.ts'
import { BuilderKeySchema, pinnedBuildersProblem, type PinnedBuilders } from './attestations.ts'
import { parseRoot, validSigners } from './metadata.ts'

/** The host's copy, in its data dir. */
export const RELEASE_TRUST_FILE = 'release-trust.json'

export class ReleaseTrustFileError extends namedError('ReleaseTrustFileError') {}

/** Why `json` is not a root tuf-js would start from, if it is not. */
function rootProblem (json: unknown): string | undefined {
  let root: Metadata<Root>
  try {
    root = parseRoot(json)
  } catch (err) {
    return `not TUF root metadata (${err instanceof Error ? err.message : String(err)})`
  }
  const threshold = root.signed.roles.root?.threshold ?? 1
  const signers = validSigners(root.signed, 'root', root)
  if (signers.length < threshold) return `root v${root.signed.version} carries ${signers.length} valid signature(s) of its own root keys; it needs ${threshold}`
  return undefined
}

export const ReleaseTrustSchema = z.object({
  version: z.literal(1),
  /** A signed TUF root (a repository's N.root.json): the oldest root this vault accepts. */
  root: z.record(z.string(), z.json()).superRefine((json, context) => {
    const problem = rootProblem(json)
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
  }),
  /** The builders whose matching attestations a bundle needs, `threshold` of them. */
  builders: z.object({
    threshold: z.number().int().min(1),
    keys: z.array(BuilderKeySchema).min(1)
  }).strict().superRefine((builders, context) => {
    const problem = pinnedBuildersProblem(builders.threshold, builders.keys)
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
  })
}).strict()
export type ReleaseTrust = z.infer<typeof ReleaseTrustSchema>

/** The trust file's root, parsed for tuf-js and the pointer checks. */
export function trustRoot (trust: ReleaseTrust): Metadata<Root> {
  return parseRoot(trust.root)
}

export function trustBuilders (trust: ReleaseTrust): PinnedBuilders {
  return { threshold: trust.builders.threshold, keys: trust.builders.keys.map(key => ({ ...key })) }
}

/** Zod's issues on one line: a CLI prints its reason on one line. */
function issuesLine (error: z.ZodError): string {
  return error.issues.map(issue => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; ')
}

/** The trust in `path`; undefined only when `missing` is 'none' and there is no file. */
async function readTrust (path: string, what: string, missing: 'none' | 'error'): Promise<ReleaseTrust | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missing === 'none') return undefined
    throw new ReleaseTrustFileError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ReleaseTrustFileError(`${what} ${path} is not JSON`)
  }
  const parsed = ReleaseTrustSchema.safeParse(json)
  if (!parsed.success) throw new ReleaseTrustFileError(`${what} ${path} is not usable: ${issuesLine(parsed.error)}`)
  return parsed.data
}

/** Reads and checks a release trust file the owner names; every failure is a ReleaseTrustFileError. */
export async function readReleaseTrustFile (path: string): Promise<ReleaseTrust> {
  const trust = await readTrust(path, 'the release trust file', 'error')
  if (trust === undefined) throw new ReleaseTrustFileError(`cannot read the release trust file ${path}`)
  return trust
}

export async function writeReleaseTrust (path: string, trust: ReleaseTrust): Promise<void> {
  await writeJsonFile(path, ReleaseTrustSchema.parse(trust))
}

/**
 * The release trust of the vault in `dataDir`: the file at `from` when given, checked and copied
 * in (replacing an earlier copy), else the copy an earlier start left, else none.
 */
export async function installReleaseTrust (options: { dataDir: string, from?: string }): Promise<ReleaseTrust | undefined> {
  const path = join(options.dataDir, RELEASE_TRUST_FILE)
  if (options.from !== undefined) {
    const trust = await readReleaseTrustFile(options.from)
    await writeReleaseTrust(path, trust)
    return trust
  }
  try {
    return await readTrust(path, 'the vault\'s copy of its release trust,', 'none')
  } catch (err) {
    if (err instanceof ReleaseTrustFileError) throw new ReleaseTrustFileError(`${err.message}; give the file again with --release-trust FILE`)
    throw err
  }
}
