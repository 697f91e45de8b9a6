// The `vault` CLI as a user runs it, for integration tests: one command to completion, and
// `vault start --headless` run until it says the vault is live, then stopped as Ctrl-C would.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { hostApiThrough, type HostApi, type HostVerb, type VaultStatus, type VerbResult } from '../../contract/host-api.ts'
import { startHeadlessServer, type HeadlessServer } from '../../node-core/host/headless-server.ts'
import type { VaultHost } from '../../node-core/host/vault-host.ts'

export const VAULT_CLI = fileURLToPath(new URL('../../node-core/cli/vault.ts', import.meta.url))

export interface CliRun { code: number, stdout: string, stderr: string }

/** Runs `vault ...args` to its end; `code` is its exit code (-1 when it had none). */
export async function runVault (args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return await new Promise(resolve => {
    execFile(process.execPath, [VAULT_CLI, ...args], { timeout: options.timeoutMs ?? 240_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr })
    })
  })
}

export interface LiveHost {
  /** Stops the host (SIGINT) and waits for it to exit. */
  stop(): Promise<void>
}

/** Starts `vault start --headless ...args` and resolves once it prints "The vault is live.". */
export async function startLiveHost (args: readonly string[]): Promise<LiveHost> {
  const child = spawn(process.execPath, [VAULT_CLI, 'start', '--headless', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', line => { if (line === 'The vault is live.') resolve() })
    void exited.then(code => { reject(new Error(`vault start exited (${String(code)}) before the vault was live`)) })
  })
  return {
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      await exited
    }
  }
}

/** A host for the CLI to call: every verb answers `status()`, except the ones `overrides` script. */
export function scriptedHost (status: () => VaultStatus, overrides: Partial<HostApi> = {}): Pick<VaultHost, 'subscribe'> & HostApi {
  // Every verb's result is a VaultStatus (hostApiSpec).
  return { subscribe: () => () => {}, ...hostApiThrough(async <V extends HostVerb>() => status() as VerbResult<V>), ...overrides }
}

/** Headless servers over scripted hosts for one suite: each in its own data dir under one temp dir. */
export class ScriptedHostServers {
  readonly #prefix: string
  readonly #servers: HeadlessServer[] = []
  #dir = ''

  constructor (prefix: string) {
    this.#prefix = prefix
  }

  async open (): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), this.#prefix))
  }

  /** Serves `host` with a stand-in dashboard page; resolves with the data dir that holds its host.json. */
  async serve (name: string, host: Pick<VaultHost, 'subscribe'> & HostApi): Promise<string> {
    const dataDir = join(this.#dir, name)
    await mkdir(join(dataDir, 'renderer'), { recursive: true })
    await writeFile(join(dataDir, 'renderer', 'index.html'), '<!doctype html>')
    this.#servers.push(await startHeadlessServer({ host, dataDir, rendererDir: join(dataDir, 'renderer') }))
    return dataDir
  }

  /** A path under the temp dir where no host runs. */
  path (name: string): string {
    return join(this.#dir, name)
  }

  async close (): Promise<void> {
    for (const server of this.#servers) await server.close()
    await rm(this.#dir, { recursive: true, force: true })
  }
}
