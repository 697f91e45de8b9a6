// How a candidate's origin reads (DESIGN §3, steps 1 and 2): a release names who signed it and
// which builders attested its bytes; a development bundle says plainly that nobody did.
import type { UpgradeCandidate } from '../../../../contract/upgrade.ts'
import type { Tone } from '../vault/vault-state.ts'

type Verification = UpgradeCandidate['verification']

export type VerificationText = { label: string, tone: Tone, lines: string[] }

function names (list: readonly string[]): string {
  return list.length === 0 ? 'nobody' : list.join(', ')
}

export function describeVerification (verification: Verification): VerificationText {
  switch (verification.kind) {
    case 'release':
      return verification.verified
        ? {
            label: 'Verified release',
            tone: 'good',
            lines: [`Signed by ${names(verification.signedBy)}.`, `Built and attested by ${names(verification.attestedBy)}.`, ...verification.reasons]
          }
        : { label: 'Release not verified', tone: 'bad', lines: verification.reasons.length === 0 ? ['The signatures or attestations did not check out.'] : verification.reasons }
    case 'development':
      return {
        label: 'Unsigned local bundle',
        tone: 'warn',
        lines: ['A development bundle built on this machine: nobody signed it and no builder attested it. It runs only because you asked for it.', ...verification.reasons]
      }
    default: {
      const unreachable: never = verification.kind
      throw new TypeError(`unknown verification kind ${String(unreachable)}`)
    }
  }
}
