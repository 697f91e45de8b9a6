#!/usr/bin/env node
// `node node-core/release/bundle/build-engine-main.ts [--out DIR]`: builds the engine bundle of
// this checkout and prints "<sha256>  <path>" (the format `sha256sum -c` checks). The default
// output directory is dist/engine-bundle/ of the checkout; --out is taken from the working
// directory. Exit codes as for `vault`: 0 ok, 1 failure, 2 usage error.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from '../../cli/cli-errors.ts'
import { buildEngineBundle } from './build-engine.ts'

export const BUILD_ENGINE_USAGE = 'usage: build-engine-main.ts [--out DIR]'
const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url))
const DEFAULT_OUT = 'dist/engine-bundle'

function isParseArgsError (err: unknown): err is Error {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')
}

export async function buildEngineMain (argv: readonly string[], cwd: string = process.cwd()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true })
    if (values.help === true) {
      process.stdout.write(BUILD_ENGINE_USAGE + '\n')
      return EXIT_OK
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"; ${BUILD_ENGINE_USAGE}`)
    if (values.out === '') throw new UsageError(`--out needs a directory; ${BUILD_ENGINE_USAGE}`)
    const outDir = values.out === undefined ? resolve(CHECKOUT, DEFAULT_OUT) : resolve(cwd, values.out)
    const built = await buildEngineBundle({ outDir, sourceRoot: CHECKOUT })
    process.stdout.write(`${built.sha256}  ${built.path}\n`)
    return EXIT_OK
  } catch (err) {
    const usage = err instanceof UsageError || isParseArgsError(err)
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    process.stderr.write(`build-engine: ${usage && err instanceof Error ? err.message.split('\n')[0] ?? '' : message}\n`)
    return usage ? EXIT_USAGE : EXIT_FAILURE
  }
}

if (import.meta.main) process.exit(await buildEngineMain(process.argv.slice(2)))
