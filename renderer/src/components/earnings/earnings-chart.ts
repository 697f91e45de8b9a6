// The Earnings card's chart and table (issue 3 deliver 7): cumulative earnings over the signed
// reward records, oldest first, drawn as an inline SVG path, so no chart library is needed.
import type { EarningsRecord, EarningsStatus } from '../../../../contract/host-api.ts'

export interface EarningsPoint {
  epoch: number
  /** Earned up to and including this record. */
  cumulative: number
  x: number
  y: number
}

export interface EarningsChart {
  points: EarningsPoint[]
  /** An SVG path through the points, from the baseline at the first epoch. */
  path: string
  /** The same path closed along the baseline, for the area under it. */
  area: string
  max: number
}

export interface ChartBox {
  width: number
  height: number
  padding: number
}

export const DEFAULT_CHART_BOX: ChartBox = { width: 320, height: 120, padding: 6 }

/**
 * Cumulative earnings at each record: x by epoch (so gaps of epochs with no record show as flat
 * runs), y by the running sum. The status carries only the newest records; the sum starts from
 * what came before them, so the line ends at the vault's total.
 */
export function earningsChart (earnings: EarningsStatus, box: ChartBox = DEFAULT_CHART_BOX): EarningsChart {
  const records = [...earnings.records].sort((a, b) => a.epoch - b.epoch)
  const listed = records.reduce((sum, record) => sum + record.amount, 0)
  // Earlier records than the status carries: what the total has beyond the listed ones.
  const earlier = Math.max(0, Number(earnings.total) - listed)
  let cumulative = earlier
  const sums = records.map(record => { cumulative += record.amount; return { epoch: record.epoch, cumulative } })
  const first = records[0]?.epoch ?? 0
  const last = records.at(-1)?.epoch ?? 0
  const max = Math.max(1, ...sums.map(s => s.cumulative))
  const innerW = box.width - 2 * box.padding
  const innerH = box.height - 2 * box.padding
  const xOf = (epoch: number): number => box.padding + (last === first ? innerW : ((epoch - first) / (last - first)) * innerW)
  const yOf = (value: number): number => box.padding + innerH - (value / max) * innerH
  const points = sums.map(({ epoch, cumulative: value }) => ({ epoch, cumulative: value, x: round(xOf(epoch)), y: round(yOf(value)) }))
  if (points.length === 0) return { points, path: '', area: '', max }
  const baseline = round(yOf(0))
  const start = round(box.padding)
  // A step line: earnings stay flat between records and rise at each one.
  const path = points.reduce((line, point) => `${line} H${point.x} V${point.y}`, `M${start},${round(yOf(earlier))}`)
  return { points, path, area: `${path} V${baseline} H${start} Z`, max }
}

/** The table behind the chart: newest first. */
export function earningsRows (records: readonly EarningsRecord[]): Array<EarningsRecord & { share: string }> {
  return [...records].sort((a, b) => b.epoch - a.epoch).map(record => ({
    ...record,
    share: record.pool === 0 ? '0%' : `${((record.amount / record.pool) * 100).toFixed(record.amount === record.pool ? 0 : 1)}%`
  }))
}

/** A section prefix as the dashboard says it. */
export function sectionLabel (prefix: string): string {
  return prefix === '' ? 'whole network' : prefix
}

function round (value: number): number {
  return Math.round(value * 10) / 10
}
