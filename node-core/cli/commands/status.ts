// `vault status [--data-dir D] [--json]`: asks the running host (found through host.json).
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { resultSchema, VaultStatusSchema, type SectionStatus, type VaultStatus } from '../../../contract/host-api.ts'
import { HOST_FILE, HostFileSchema, type HostFile } from '../../host/headless-server.ts'
import { formatScheduleTime } from '../../upgrade/schedule/upgrade-policy.ts'
import { CliFailure } from '../cli-errors.ts'
import { defaultDataDir } from '../data-dir.ts'
import { formatAgeHistory } from './status-age.ts'
import { formatEarnings } from './status-earnings.ts'

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

/** The section in a few lines: its prefix and phase, the elders and whether this vault is one, and its standing when not active (issue 3). */
export function formatSection (section: SectionStatus | null): string[] {
  if (section === null) return ['section  none: this engine runs no section']
  return [...formatPhase(section), ...formatStanding(section)]
}

/** DESIGN §2, pause, fix, demote: why the vault is paused and how long it has, or what became of it. */
function formatStanding ({ standing, generation }: SectionStatus): string[] {
  switch (standing.state) {
    case 'active':
      return []
    case 'paused': {
      const { pause, deadlineAt, selfCheck } = standing
      const left = pause === null ? [] : [`${Math.max(0, pause.deadline - generation)} churns left (demoted at generation ${pause.deadline}${deadlineAt === null ? '' : `, about ${formatScheduleTime(deadlineAt)}`})`]
      const failed = selfCheck?.checks.filter(check => !check.passed).length ?? 0
      return [
        `standing paused by the section${pause === null ? '' : `: ${pause.reasons.join('; ')}`}`,
        ...left.map(line => `         ${line}`),
        `         ${selfCheck === null ? 'no self-check yet' : selfCheck.passed ? 'the self-check passed' : `the self-check failed ${failed} of ${selfCheck.checks.length} checks`}; run vault resume`
      ]
    }
    case 'resume-requested':
      return ['standing resume requested: the elders are auditing this vault on probation']
    case 'demoted':
      return [`standing demoted: removed from the section${standing.rejoinAge === null ? '' : `; may rejoin at age ${standing.rejoinAge}`}`]
    default: {
      const unknownState: never = standing.state
      throw new RangeError(`unknown standing ${String(unknownState)}`)
    }
  }
}

function formatPhase (section: SectionStatus): string[] {
  const prefix = section.prefix === '' ? "'' (the whole network)" : `'${section.prefix}'`
  switch (section.phase) {
    case 'forming':
      return [`section  ${prefix}, forming: ${section.memberCount} vault${section.memberCount === 1 ? '' : 's'} known, no elders until 7 are`]
    case 'keying':
    case 'confirming':
      return [`section  ${prefix}, ${section.phase === 'keying' ? 'keying: this vault runs the key generation with the other elders' : 'confirming: waiting for 5 elders to sign the same key'}`]
    case 'active':
      return [
        `section  ${prefix}, generation ${section.generation}, ${section.memberCount} member${section.memberCount === 1 ? '' : 's'}${section.isMember ? '' : ' (this vault is asking to join)'}`,
        `elders   ${section.elders.length} (ages ${section.elders.map(elder => elder.age).join(', ')}); this vault is ${section.isElder ? 'an elder' : 'not an elder'}`,
        `key      ${section.sectionKey === null ? '-' : `${section.sectionKey.slice(0, 16)}…`}`,
        ...(section.joinsAllowed === undefined ? [] : [`joins    ${section.joinsAllowed ? 'open: the section needs storage' : 'closed until a member leaves or an adult is 90 % full'}`])
      ]
    default: {
      const unknown: never = section.phase
      throw new RangeError(`unknown section phase ${String(unknown)}`)
    }
  }
}

export function formatStatus (status: VaultStatus): string {
  const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  const lines = [
    `vault    ${status.name !== '' ? status.name : status.state === 'left' ? '(left the network)' : '(starting)'}`,
    // No name yet: no engine has reported since the host started, so no age either.
    `age      ${status.name === '' ? '-' : status.age}`,
    ...formatAgeHistory(status),
    `state    ${status.state}`,
    `engine   ${status.engineVersion} (pid ${status.engine.pid ?? '-'}, restarts ${status.engine.restarts})`,
    `peers    ${status.peers}`,
    `store    ${status.store.chunks} chunks, ${mib(status.store.bytes)} of ${mib(status.store.capacityBytes)}${status.store.full ? ' (full)' : ''}`,
    `network  ${status.network.kind}`,
    `era      ${status.versions.activeEra} (this engine supports ${status.versions.supportedEras.join(', ')})`,
    ...(status.state === 'left' ? ['section  none: this vault left the network; vault resume starts it again under a new name'] : formatSection(status.section)),
    ...formatEarnings(status)
  ]
  for (const notice of status.notices) {
    lines.push(`notice   [${notice.severity}] ${notice.title}${notice.fix === undefined ? '' : ` (fix: ${notice.fix})`}`)
  }
  return lines.join('\n')
}

/** `write` is where the status goes: stdout, or a test's buffer. */
export async function statusCommand (args: string[], write: (text: string) => void = text => { process.stdout.write(text) }): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } })
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : resolve(values['data-dir'])
  const status = await fetchStatus(await readHostFile(dataDir))
  write((values.json ? JSON.stringify(status, null, 2) : formatStatus(status)) + '\n')
  return 0
}
