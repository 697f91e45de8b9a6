// Engines built from this checkout's sources with exactly one change (issue 5, "done means": each
// hostile candidate is the real engine with one change). The copy sits beside a symlink to the
// checkout's node_modules, as an unpacked bundle does after `npm ci`.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { namedError } from '../../contract/named-error.ts'
import { ENGINE_VERSION } from '../../node-core/engine/version.ts'
import type { RunnableEngine } from '../../node-core/upgrade/shadow/shadow-runner.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
/** What an engine bundle holds of the checkout (node-core/release/bundle takes the same parts). */
const ENGINE_PARTS = ['node-core', 'contract', 'package-lock.json']
export const ENGINE_ENTRY = join('node-core', 'engine', 'engine-main.ts')

/** One textual change to one source file: `find` must occur exactly once. */
export interface SourcePatch {
  /** Path under the checkout, e.g. 'node-core/engine/engine-main.ts'. */
  file: string
  find: string
  replace: string
}

export interface EngineCandidate extends RunnableEngine {
  /** Removes the candidate's copy. */
  remove(): Promise<void>
}

export class PatchAnchorError extends namedError('PatchAnchorError') {}

/** Applies `patch` to `source`, failing loudly when its anchor is missing or ambiguous. */
export function applyPatch (source: string, patch: SourcePatch, label: string): string {
  const first = source.indexOf(patch.find)
  if (first === -1) throw new PatchAnchorError(`candidate "${label}": anchor not found in ${patch.file}: ${JSON.stringify(patch.find.slice(0, 120))}`)
  if (source.indexOf(patch.find, first + 1) !== -1) throw new PatchAnchorError(`candidate "${label}": anchor occurs more than once in ${patch.file}: ${JSON.stringify(patch.find.slice(0, 120))}`)
  return source.slice(0, first) + patch.replace + source.slice(first + patch.find.length)
}

/**
 * Copies the engine's sources into a fresh temp dir, applies `patch` (none: the unchanged engine)
 * and links node_modules. `label` names the candidate in its reported version and in errors.
 */
export async function buildEngineCandidate (label: string, patch?: SourcePatch, parent: string = tmpdir()): Promise<EngineCandidate> {
  const rootDir = await mkdtemp(join(parent, `engine-candidate-${label}-`))
  try {
    for (const part of ENGINE_PARTS) await cp(join(repo, part), join(rootDir, part), { recursive: true })
    if (patch !== undefined) {
      const path = join(rootDir, patch.file)
      await writeFile(path, applyPatch(await readFile(path, 'utf8'), patch, label))
    }
    await symlink(join(repo, 'node_modules'), join(rootDir, 'node_modules'), 'dir')
  } catch (err) {
    await rm(rootDir, { recursive: true, force: true })
    throw err
  }
  return {
    engineVersion: patch === undefined ? ENGINE_VERSION : `${ENGINE_VERSION}+${label}`,
    bundleSha256: null,
    rootDir,
    entry: join(rootDir, ENGINE_ENTRY),
    remove: async () => { await rm(rootDir, { recursive: true, force: true }) }
  }
}
