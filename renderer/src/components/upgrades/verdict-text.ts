// How a shadow verdict and its reasons read (issue 5, deliver 3: "a report a farmer can read").
import type { VerdictReason, VerdictResult } from '../../../../contract/upgrade.ts'
import type { Tone } from '../vault/vault-state.ts'

export function describeVerdict (result: VerdictResult): { label: string, tone: Tone, summary: string } {
  switch (result) {
    case 'pass': return { label: 'Pass', tone: 'good', summary: 'The candidate did at least as well as the current version and stayed inside its sandbox.' }
    case 'marginal': return { label: 'Marginal', tone: 'warn', summary: 'The candidate works but did somewhat worse on some measures. You may still install it after confirming.' }
    case 'fail': return { label: 'Fail', tone: 'bad', summary: 'The candidate must not be installed: see the reasons below.' }
    default: {
      const unreachable: never = result
      throw new TypeError(`unknown verdict ${String(unreachable)}`)
    }
  }
}

export function describeSeverity (severity: VerdictReason['severity']): { label: string, tone: Tone } {
  switch (severity) {
    case 'critical': return { label: 'Critical', tone: 'bad' }
    case 'warning': return { label: 'Warning', tone: 'warn' }
    case 'info': return { label: 'Info', tone: 'muted' }
    default: {
      const unreachable: never = severity
      throw new TypeError(`unknown severity ${String(unreachable)}`)
    }
  }
}

const SEVERITY_ORDER: Record<VerdictReason['severity'], number> = { critical: 0, warning: 1, info: 2 }

/** Critical reasons first, then warnings, then the rest; the host's order within each. */
export function sortReasons (reasons: readonly VerdictReason[]): VerdictReason[] {
  return [...reasons].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
}
