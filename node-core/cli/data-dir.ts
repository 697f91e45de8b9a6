// Where the vault keeps its data when --data-dir is not given.
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
