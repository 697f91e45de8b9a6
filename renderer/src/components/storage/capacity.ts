// How full the store is. The section treats an adult at >= 90% as needing more storage
// (DESIGN §2: joins open when an adult reports >= 90% full), so the bar warns from there.
import type { StoreStatus } from '../../../../contract/host-api.ts'
import { formatBytes, formatPercent, usedFraction } from '../../format/bytes.ts'

export const NEARLY_FULL_FRACTION = 0.9

export type CapacityLevel = 'ok' | 'nearly-full' | 'full'

export type CapacitySummary = {
  fraction: number
  level: CapacityLevel
  used: string
  capacity: string
  free: string
  percent: string
}

export function summarizeCapacity (store: StoreStatus): CapacitySummary {
  const fraction = usedFraction(store.bytes, store.capacityBytes)
  // The host's `full` flag is authoritative: it may count reserved space the bytes do not show.
  const level: CapacityLevel = store.full || fraction >= 1 ? 'full' : fraction >= NEARLY_FULL_FRACTION ? 'nearly-full' : 'ok'
  return {
    fraction,
    level,
    used: formatBytes(store.bytes),
    capacity: formatBytes(store.capacityBytes),
    free: formatBytes(Math.max(0, store.capacityBytes - store.bytes)),
    percent: formatPercent(fraction)
  }
}
