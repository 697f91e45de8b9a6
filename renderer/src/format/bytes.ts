// Byte counts as farmers read them. Binary units (KiB, MiB, GiB) because chunk sizes and
// storage caps are powers of two (a chunk is at most 1 MiB, DESIGN §2).
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** `1536` → `"1.5 KiB"`; about three significant digits, trailing zeros dropped. */
export function formatBytes (bytes: number): string {
  if (!Number.isFinite(bytes)) throw new RangeError(`"bytes" expected a finite number, got ${bytes}`)
  if (bytes < 0) throw new RangeError(`"bytes" expected a non-negative number, got ${bytes}`)
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${Math.round(value)} B`
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
  // toFixed then Number drops trailing zeros: 1.50 → 1.5, 2.00 → 2
  let rounded = Number(value.toFixed(decimals))
  // 1023.9 KiB rounds to "1024 KiB": promote it to the next unit instead
  if (rounded >= 1024 && unit < UNITS.length - 1) {
    rounded = 1
    unit++
  }
  return `${rounded} ${UNITS[unit]}`
}

/** Share of the capacity in use, clamped to 0..1 (a store may briefly exceed its cap). */
export function usedFraction (bytes: number, capacityBytes: number): number {
  if (!(capacityBytes > 0)) throw new RangeError(`"capacityBytes" expected a positive number, got ${capacityBytes}`)
  return Math.min(1, Math.max(0, bytes / capacityBytes))
}

/** `0.123` → `"12%"`; shows `"<1%"` rather than a misleading 0% when something is stored. */
export function formatPercent (fraction: number): string {
  if (!Number.isFinite(fraction)) throw new RangeError(`"fraction" expected a finite number, got ${fraction}`)
  if (fraction > 0 && fraction < 0.01) return '<1%'
  if (fraction < 1 && fraction > 0.99) return '99%'
  return `${Math.round(fraction * 100)}%`
}

const integerFormat = new Intl.NumberFormat('en-US')

/** `12345` → `"12,345"`. */
export function formatCount (count: number): string {
  return integerFormat.format(count)
}
