// OS notifications for critical notices. The host's health monitor already rate-limits notices
// (DESIGN §4); the shell adds its own floor so that a flapping notice, or a host bug, cannot
// spam the owner's desktop: a notice is shown when it appears, at most once per minimum gap per
// notice id, and at most a few times per hour in all.
import type { Notice, VaultStatus } from '../contract/host-api.ts'
import type { NotificationCtor } from './ports.ts'

export const DEFAULT_MIN_GAP_MS = 60 * 60 * 1000
export const DEFAULT_MAX_PER_HOUR = 6
const HOUR_MS = 60 * 60 * 1000

export interface NoticeNotifierOptions {
  Notification: NotificationCtor
  now: () => number
  /** Clicking a notification opens the dashboard. */
  onClick: () => void
  minGapMs?: number
  maxPerHour?: number
}

export interface NoticeNotifier {
  /** Called with every status snapshot; shows the critical notices that just appeared. */
  observe(status: VaultStatus): void
}

export function createNoticeNotifier (options: NoticeNotifierOptions): NoticeNotifier {
  const minGapMs = options.minGapMs ?? DEFAULT_MIN_GAP_MS
  const maxPerHour = options.maxPerHour ?? DEFAULT_MAX_PER_HOUR
  const lastShownById = new Map<string, number>()
  let shownTimes: number[] = []
  let present = new Set<string>()

  const allowed = (id: string, now: number): boolean => {
    const last = lastShownById.get(id)
    if (last !== undefined && now - last < minGapMs) return false
    return shownTimes.length < maxPerHour
  }

  const show = (notice: Notice): void => {
    const body = notice.fix === undefined ? notice.detail : `${notice.detail}\n${notice.fix}`
    const notification = new options.Notification({ title: notice.title, body, urgency: 'critical' })
    notification.on('click', () => { options.onClick() })
    notification.show()
  }

  return {
    observe (status) {
      const now = options.now()
      shownTimes = shownTimes.filter((at) => now - at < HOUR_MS)
      for (const [id, at] of lastShownById) if (now - at >= minGapMs) lastShownById.delete(id)

      const critical = status.notices.filter((notice) => notice.severity === 'critical')
      const supported = options.Notification.isSupported()
      for (const notice of critical) {
        if (present.has(notice.id) || !supported || !allowed(notice.id, now)) continue
        show(notice)
        lastShownById.set(notice.id, now)
        shownTimes.push(now)
      }
      present = new Set(critical.map((notice) => notice.id))
    }
  }
}
