// `vault status [--data-dir D] [--json]`: asks the running host (found through host.json).
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { resultSchema, VaultStatusSchema, type VaultStatus } from '../../../contract/host-api.ts'
import { HOST_FILE, HostFileSchema, type HostFile } from '../../host/headless-server.ts'
import { CliFailure } from '../cli-errors.ts'
import { defaultDataDir } from '../data-dir.ts'

export const STATUS_USAGE = 'vault status [--data-dir DIR] [--json]'

export async function readHostFile (dataDir: string): Promise<HostFile> {
  const path = join(dataDir, HOST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new CliFailure(`no running vault found in ${dataDir} (${HOST_FILE} is missing); start one with: vault start --headless`)
  }
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  const parsed = HostFileSchema.safeParse(json)
  if (!parsed.success) throw new CliFailure(`${path} is malformed; restart the vault to rewrite it`)
  return parsed.data
}

export async function fetchStatus (hostFile: HostFile): Promise<VaultStatus> {
  let response: Response
  try {
    response = await fetch(`${hostFile.origin}/api/status`, {
      headers: { Authorization: `Bearer ${hostFile.token}` },
      signal: AbortSignal.timeout(5000)
    })
  } catch {
    throw new CliFailure(`the vault host (pid ${hostFile.pid}) does not answer at ${hostFile.origin}; it may have stopped`)
  }
  if (response.status === 401) throw new CliFailure(`the vault host refused the token in ${HOST_FILE}; restart the vault`)
  const reply = resultSchema(VaultStatusSchema).safeParse(await response.json().catch(() => undefined))
  if (!reply.success) throw new CliFailure('the vault host sent a status this version of vault cannot read')
  if (!reply.data.ok) throw new CliFailure(`the vault host failed: ${reply.data.error.name}: ${reply.data.error.message}`)
  return reply.data.value
}

export function formatStatus (status: VaultStatus): string {
  const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  const lines = [
    `vault    ${status.name === '' ? '(starting)' : status.name}`,
    `age      ${status.age}`,
    `state    ${status.state}`,
    `engine   ${status.engineVersion} (pid ${status.engine.pid ?? '-'}, restarts ${status.engine.restarts})`,
    `peers    ${status.peers}`,
    `store    ${status.store.chunks} chunks, ${mib(status.store.bytes)} of ${mib(status.store.capacityBytes)}${status.store.full ? ' (full)' : ''}`,
    `network  ${status.network.kind}`
  ]
  for (const notice of status.notices) {
    lines.push(`notice   [${notice.severity}] ${notice.title}${notice.fix === undefined ? '' : ` (fix: ${notice.fix})`}`)
  }
  return lines.join('\n')
}

export async function statusCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } })
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : resolve(values['data-dir'])
  const status = await fetchStatus(await readHostFile(dataDir))
  process.stdout.write((values.json ? JSON.stringify(status, null, 2) : formatStatus(status)) + '\n')
  return 0
}
