// Notices in the order an owner should read them: the most severe first, then the oldest,
// because a problem that has lasted longer is closer to costing age (DESIGN §2: grace period).
import type { Notice } from '../../../../contract/host-api.ts'

const SEVERITY_RANK: Record<Notice['severity'], number> = { critical: 0, warning: 1, info: 2 }

export function sortNotices (notices: readonly Notice[]): Notice[] {
  return [...notices].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.since - b.since)
}

export function severityLabel (severity: Notice['severity']): string {
  switch (severity) {
    case 'critical': return 'Critical'
    case 'warning': return 'Warning'
    case 'info': return 'Info'
    default: {
      const unreachable: never = severity
      throw new TypeError(`unknown severity ${String(unreachable)}`)
    }
  }
}

/** `"2 critical, 1 warning"`, or null when there is nothing but info. */
export function noticeTally (notices: readonly Notice[]): string | null {
  const critical = notices.filter((n) => n.severity === 'critical').length
  const warnings = notices.filter((n) => n.severity === 'warning').length
  const parts = [
    critical > 0 ? `${critical} critical` : null,
    warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : null
  ].filter((part) => part !== null)
  return parts.length === 0 ? null : parts.join(', ')
}
