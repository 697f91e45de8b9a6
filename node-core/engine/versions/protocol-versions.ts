// Protocol ids carry their versions (DESIGN §2, versions and eras): `/vault/<name>/<major>.<minor>.<patch>`.
// A vault speaks the current and the previous version of each of its protocols; a peer older than
// that is told "upgrade required". Versions on one compatibility line interoperate: semver's rule,
// the major number, or the minor under major 0 (semver §4: 0.y.z may change anything on a minor).
import { CHUNK_PROTOCOL, KAD_PROTOCOL } from '../version.ts'

export interface ProtocolId {
  name: string
  major: number
  minor: number
  patch: number
}

/** The current and the previous version a vault speaks of one protocol, as full protocol ids. */
export interface SupportedProtocol {
  current: string
  previous: string
}

/** Per protocol name, what this release speaks. */
export type SupportedProtocols = Readonly<Record<string, SupportedProtocol>>

/**
 * What this release speaks. 0.9.0 is the declared predecessor of each 1.0.0 protocol: the
 * pre-release line, kept so the two-version rule has a previous version to speak from day one.
 */
export const SUPPORTED_PROTOCOLS: SupportedProtocols = {
  chunk: { current: CHUNK_PROTOCOL, previous: '/vault/chunk/0.9.0' },
  kad: { current: KAD_PROTOCOL, previous: '/vault/kad/0.9.0' }
}

/** How a remote's protocols relate to ours: the line both would speak, or why none. */
export type Compatibility = 'current' | 'previous' | 'too-old' | 'newer'

export interface ProtocolCompatibility {
  name: string
  compatibility: Compatibility
  /** The remote's ids of this protocol, as it announced them. */
  remote: string[]
}

export interface CompatibilityResult {
  /**
   * The worst of the per-protocol verdicts, or 'unrelated' when the remote speaks none of our
   * protocols at all (a libp2p node that is not a vault: nothing to judge).
   */
  compatibility: Compatibility | 'unrelated'
  reason: string
  protocols: ProtocolCompatibility[]
}

const PROTOCOL_ID = /^\/vault\/([a-z][a-z0-9-]{0,31})\/(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/

/** Parses a vault protocol id; undefined for anything else (other libp2p protocols, garbage). */
export function tryParseProtocolId (id: string): ProtocolId | undefined {
  const match = PROTOCOL_ID.exec(id)
  if (match === null) return undefined
  const [, name, major, minor, patch] = match
  if (name === undefined || major === undefined || minor === undefined || patch === undefined) return undefined
  return { name, major: Number(major), minor: Number(minor), patch: Number(patch) }
}

export function parseProtocolId (id: string): ProtocolId {
  if (typeof id !== 'string') throw new TypeError(`"protocol" expected a string, got ${typeof id}`)
  const parsed = tryParseProtocolId(id)
  if (parsed === undefined) throw new RangeError(`"protocol" expected /vault/<name>/<major>.<minor>.<patch>, got ${JSON.stringify(id.slice(0, 100))}`)
  return parsed
}

export function formatProtocolId (protocol: ProtocolId): string {
  return `/vault/${protocol.name}/${protocol.major}.${protocol.minor}.${protocol.patch}`
}

/** The compatibility line of a version as [major, minor-under-major-0]; equal lines interoperate. */
function line (protocol: ProtocolId): [number, number] {
  return protocol.major === 0 ? [0, protocol.minor] : [protocol.major, 0]
}

/** Orders two versions by compatibility line: negative when a is on an older line than b. */
export function compareLines (a: ProtocolId, b: ProtocolId): number {
  const [aMajor, aMinor] = line(a)
  const [bMajor, bMinor] = line(b)
  return (aMajor - bMajor) || (aMinor - bMinor)
}

function assertSupported (name: string, supported: SupportedProtocol): { current: ProtocolId, previous: ProtocolId } {
  const current = parseProtocolId(supported.current)
  const previous = parseProtocolId(supported.previous)
  if (current.name !== name || previous.name !== name) {
    throw new RangeError(`"supported.${name}" expected ids of protocol ${name}, got ${supported.current} and ${supported.previous}`)
  }
  if (compareLines(previous, current) >= 0) {
    throw new RangeError(`"supported.${name}" expected the previous version on an older line than the current, got ${supported.previous} and ${supported.current}`)
  }
  return { current, previous }
}

/** The best line both sides speak of one protocol: ours if the remote has it, else our previous. */
function compareOne (current: ProtocolId, previous: ProtocolId, remote: ProtocolId[]): Compatibility {
  if (remote.some(id => compareLines(id, current) === 0)) return 'current'
  if (remote.some(id => compareLines(id, previous) === 0)) return 'previous'
  // It speaks neither of ours: either it has moved on past us, or it is older than our previous.
  if (remote.some(id => compareLines(id, current) > 0)) return 'newer'
  return 'too-old'
}

const SEVERITY: Record<Compatibility, number> = { 'too-old': 3, newer: 2, previous: 1, current: 0 }

/**
 * How a remote that announced `remoteProtocols` (identify's list) relates to a vault speaking
 * `localSupported`. Only protocols the remote announces at all are judged: a client that speaks
 * chunk but not kad is not outdated for lacking kad.
 */
export function compatibility (localSupported: SupportedProtocols, remoteProtocols: readonly string[]): CompatibilityResult {
  const remoteByName = new Map<string, { ids: string[], parsed: ProtocolId[] }>()
  for (const id of remoteProtocols) {
    const parsed = tryParseProtocolId(id)
    if (parsed === undefined) continue
    const entry = remoteByName.get(parsed.name) ?? { ids: [], parsed: [] }
    entry.ids.push(id)
    entry.parsed.push(parsed)
    remoteByName.set(parsed.name, entry)
  }
  const protocols: ProtocolCompatibility[] = []
  for (const [name, supported] of Object.entries(localSupported)) {
    const { current, previous } = assertSupported(name, supported)
    const remote = remoteByName.get(name)
    if (remote === undefined) continue
    protocols.push({ name, compatibility: compareOne(current, previous, remote.parsed), remote: remote.ids })
  }
  if (protocols.length === 0) {
    return { compatibility: 'unrelated', reason: 'the peer speaks none of our protocols', protocols }
  }
  const worst = protocols.reduce((a, b) => SEVERITY[b.compatibility] > SEVERITY[a.compatibility] ? b : a)
  return { compatibility: worst.compatibility, reason: describe(worst, localSupported), protocols }
}

function describe (worst: ProtocolCompatibility, localSupported: SupportedProtocols): string {
  const supported = localSupported[worst.name]
  const ours = supported === undefined ? '' : `${supported.current} and ${supported.previous}`
  const theirs = worst.remote.join(', ')
  switch (worst.compatibility) {
    case 'current': return `the peer speaks our current protocols (${theirs})`
    case 'previous': return `the peer speaks the previous version ${theirs}, which we still speak`
    case 'too-old': return `the peer speaks ${theirs}, older than the two versions we speak (${ours})`
    case 'newer': return `the peer speaks ${theirs}, newer than the two versions we speak (${ours}): this vault may need an upgrade`
    default: {
      const unknown: never = worst.compatibility
      throw new RangeError(`unknown compatibility ${String(unknown)}`)
    }
  }
}

/** The oldest protocol ids a peer must speak to be served: our previous version of each. */
export function minimumProtocols (localSupported: SupportedProtocols): string[] {
  return Object.values(localSupported).map(supported => supported.previous)
}

const AGENT_VERSION = /^vault\/((0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})(-[0-9A-Za-z.-]{1,64})?)$/

/** The engine version in identify's agent version (`vault/<semver>`), or undefined for other agents. */
export function parseAgentVersion (agentVersion: string | undefined): string | undefined {
  if (agentVersion === undefined) return undefined
  return AGENT_VERSION.exec(agentVersion)?.[1]
}
