// How a known version reads in the Releases view: what it is to this vault, and what vouches for
// each bundle of it (DESIGN §3.1-3.2: who signed, which builders attested).
import type { Tone } from '../vault/vault-state.ts'
import { describeVerification } from '../upgrades/verification-text.ts'
import type { KnownVersion, VersionEvidence, VersionRole } from './known-versions.ts'
import { countOf, shortKeyId } from './release-check-text.ts'

export function describeRole (role: VersionRole): { label: string, tone: Tone } {
  switch (role) {
    case 'running': return { label: 'This vault runs it', tone: 'good' }
    case 'candidate': return { label: 'Upgrade candidate', tone: 'busy' }
    case 'latest-release': return { label: 'Latest release', tone: 'good' }
    case 'previous': return { label: 'Rollback target', tone: 'muted' }
    case 'failed': return { label: 'Failed on this vault', tone: 'bad' }
    default: {
      const unreachable: never = role
      throw new TypeError(`unknown version role ${String(unreachable)}`)
    }
  }
}

export interface EvidenceText { label: string, tone: Tone, lines: string[] }

function keys (list: readonly string[]): string {
  return list.length === 0 ? '' : ` (${list.map(shortKeyId).join(', ')})`
}

function bundle (sha256: string): string {
  return `Bundle ${shortKeyId(sha256)}`
}

export function describeEvidence (evidence: VersionEvidence): EvidenceText {
  switch (evidence.kind) {
    case 'release':
      return {
        label: 'Verified release',
        tone: 'good',
        lines: [
          `Signed by ${countOf(evidence.check.signedBy.length, 'release key')}${keys(evidence.check.signedBy)}.`,
          `Built and attested by ${countOf(evidence.check.attestedBy.length, 'builder')}${keys(evidence.check.attestedBy)}.`
        ]
      }
    case 'candidate': {
      // The Upgrades view's wording, so the candidate reads the same in both places.
      const text = describeVerification(evidence.verification)
      return { ...text, lines: [`${bundle(evidence.bundleSha256)}.`, ...text.lines] }
    }
    case 'shipped':
      return { label: 'Shipped with the app', tone: 'muted', lines: ['Came with Vault Manager itself rather than as a release from the network.'] }
    case 'installed':
      return {
        label: 'Installed bundle',
        tone: 'muted',
        lines: [`${bundle(evidence.bundleSha256)}, installed by the upgrade pipeline; this status does not say who signed it.`]
      }
    default: {
      const unreachable: never = evidence
      throw new TypeError(`unknown evidence ${String(unreachable)}`)
    }
  }
}

/** What the Releases view says of a version nothing on this vault vouches for. */
function unvouched (peerCount: number): EvidenceText {
  return {
    label: 'Not checked',
    tone: 'muted',
    lines: [peerCount > 0
      ? 'Known only because peers run it: this vault has not fetched or verified it.'
      : 'This vault keeps no record of its signatures.']
  }
}

export function evidenceTexts (version: Pick<KnownVersion, 'evidence' | 'peerCount'>): EvidenceText[] {
  return version.evidence.length === 0 ? [unvouched(version.peerCount)] : version.evidence.map(describeEvidence)
}
