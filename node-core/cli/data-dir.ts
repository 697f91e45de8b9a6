// Where the vault keeps its data when --data-dir is not given, and the flags of every command that
// asks the running host.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function defaultDataDir (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.VAULT_DATA_DIR !== undefined && env.VAULT_DATA_DIR !== '') return resolve(env.VAULT_DATA_DIR)
  switch (platform) {
    case 'darwin': return join(homedir(), 'Library', 'Application Support', 'Vault Manager', 'vault')
    case 'win32': return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Vault Manager', 'vault')
    default: return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vault-manager')
  }
}

/** --data-dir, resolved against the working directory, or the default data dir. */
export function dataDirArg (value: string | undefined, cwd: string = process.cwd()): string {
  return value === undefined ? defaultDataDir() : resolve(cwd, value)
}

/** The flags every command that asks the running host takes (parseArgs options). */
export const HOST_COMMAND_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
} as const
