// How the engine's check of the latest release reads (issue 4, deliver 6; DESIGN §3.1-3.3): who
// signed, which builders attested, what it allows, or the attack that made the vault refuse it.
import type { ReleaseCheck, ReleaseRejectionCode, VersionsStatus } from '../../../../contract/host-api.ts'
import { formatTimestamp } from '../../format/duration.ts'
import type { Tone } from '../vault/vault-state.ts'

type LatestRelease = VersionsStatus['latestRelease']
type VerifiedCheck = Extract<ReleaseCheck, { verdict: 'verified' }>

export type ReleaseCheckState = 'none' | 'checking' | 'verified' | 'rejected'

export interface ReleaseCheckText {
  state: ReleaseCheckState
  label: string
  tone: Tone
  summary: string
}

/** Keeps a key id readable: the first 12 hex digits identify it among a handful of keys. */
export function shortKeyId (keyId: string): string {
  return keyId.length <= 16 ? keyId : `${keyId.slice(0, 12)}…`
}

/** `"1 key"`, `"2 keys"`. */
export function countOf (count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** What the refusal stopped, in a farmer's words; the engine's reasons follow it. */
export function describeRejection (code: ReleaseRejectionCode): string {
  switch (code) {
    case 'unsigned': return 'Not signed by the release keys'
    case 'wrongly-signed': return 'A signature does not match'
    case 'threshold-not-met': return 'Too few release keys signed it'
    case 'same-key-twice': return 'One key was counted twice'
    case 'revoked-key': return 'Signed with a revoked key'
    case 'rollback': return 'Older than a release already trusted'
    case 'frozen': return 'Its metadata has expired'
    case 'mix-and-match': return 'Metadata from different releases mixed'
    case 'oversized': return 'A download was larger than allowed'
    case 'bundle-hash-mismatch': return 'The bundle is not the one signed'
    case 'too-few-attestations': return 'Too few builders attested it'
    case 'attestation-mismatch': return 'Builders attested different bytes'
    case 'unknown-builder': return 'Attested by a builder that is not trusted'
    case 'bad-attestation-signature': return 'A builder\'s signature does not match'
    case 'malformed': return 'Its files are malformed'
    case 'no-release': return 'The announcement names no release'
    case 'unavailable': return 'Its files could not be fetched from peers'
    case 'error': return 'The check failed'
    default: {
      const unreachable: never = code
      throw new TypeError(`unknown rejection code ${String(unreachable)}`)
    }
  }
}

/** The verdict on the latest release; without one, whether the vault follows releases at all. */
export function describeReleaseCheck (latest: LatestRelease, followsReleases: boolean): ReleaseCheckText {
  if (latest === null && !followsReleases) {
    return {
      state: 'none',
      label: 'Not following releases',
      tone: 'muted',
      summary: 'No release trust is configured on this vault (vault start --release-trust FILE), so it does not follow signed releases on its network. It keeps running the version it has.'
    }
  }
  if (latest === null) {
    return {
      state: 'none',
      label: 'No release known',
      tone: 'muted',
      summary: 'This vault follows signed releases, but none has been announced on its network yet. It keeps running the version it has.'
    }
  }
  const { check } = latest
  if (check === null) {
    return { state: 'checking', label: 'Checking', tone: 'busy', summary: 'The vault is fetching this release from its peers and checking its signatures and attestations.' }
  }
  switch (check.verdict) {
    case 'verified':
      return {
        state: 'verified',
        label: 'Verified',
        tone: 'good',
        summary: `Version ${check.engineVersion}: signed by ${countOf(check.signedBy.length, 'release key')} and reproduced by ${countOf(check.attestedBy.length, 'builder')}, as this vault's trusted root requires.`
      }
    case 'rejected':
      return { state: 'rejected', label: 'Rejected', tone: 'bad', summary: `${describeRejection(check.code)}: this vault will not run it.` }
    default: {
      const unreachable: never = check
      throw new TypeError(`unknown release verdict ${String(unreachable)}`)
    }
  }
}

export interface ReleaseFact {
  id: 'signed-by' | 'root' | 'attested-by' | 'eras' | 'rollout' | 'egress' | 'bundle'
  label: string
  /** Key ids shown short, each with its whole value for a tooltip. */
  keys?: string[]
  text: string
}

function formatSpan (seconds: number): string {
  const days = seconds / 86_400
  if (Number.isInteger(days)) return countOf(days, 'day')
  const hours = seconds / 3600
  if (Number.isInteger(hours)) return countOf(hours, 'hour')
  return countOf(seconds, 'second')
}

/** The evidence behind a verified release, in the order an owner checks it. */
export function releaseFacts (check: VerifiedCheck, timeZone?: string): ReleaseFact[] {
  const hosts = check.egress.allowedHosts
  return [
    { id: 'signed-by', label: 'Signed by', keys: check.signedBy, text: countOf(check.signedBy.length, 'targets key') },
    { id: 'root', label: 'Trusted root', keys: check.rootSignedBy, text: `version ${check.rootVersion}, signed by ${countOf(check.rootSignedBy.length, 'root key')}` },
    { id: 'attested-by', label: 'Attested by', keys: check.attestedBy, text: `${countOf(check.attestedBy.length, 'builder')} who built the same bytes` },
    { id: 'eras', label: 'Eras', text: `supports era${check.eras.length === 1 ? '' : 's'} ${check.eras.join(' and ')}` },
    { id: 'rollout', label: 'Rollout', text: `vaults become eligible one by one over ${formatSpan(check.rollout.durationSeconds)} from ${formatTimestamp(Date.parse(check.rollout.start), timeZone)}` },
    { id: 'egress', label: 'May reach', text: hosts.length === 0 ? 'only peers of the network, no other host' : `peers of the network and ${hosts.join(', ')}` },
    { id: 'bundle', label: 'Bundle SHA-256', text: check.bundleSha256 }
  ]
}
