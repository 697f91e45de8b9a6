// Figures as a farmer reads them in the verdict's sentences and the CLI report.
import type { ShadowOperation } from '../../../contract/upgrade.ts'

/** `4.2 ms`, `0.35 ms`, `120 ms`: about two significant digits below 100 ms. */
export function formatMs (ms: number): string {
  if (ms === 0) return '0 ms'
  if (Math.abs(ms) < 1) return `${ms.toFixed(2)} ms`
  if (Math.abs(ms) < 100) return `${ms.toFixed(1)} ms`
  return `${Math.round(ms)} ms`
}

/** `2.1×`. */
export function formatRatio (ratio: number): string {
  return `${ratio.toFixed(1)}×`
}

/** `52%`. */
export function formatShare (ratio: number): string {
  return `${Math.round(ratio * 100)}%`
}

/** `312 MiB`, in the binary units the store's caps use. */
export function formatMemory (bytes: number): string {
  const mib = bytes / 1024 ** 2
  return mib >= 10 ? `${Math.round(mib)} MiB` : `${mib.toFixed(1)} MiB`
}

/** `1.2 s` or `350 ms`. */
export function formatCpu (ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}

const OPERATION_NOUNS: Record<ShadowOperation, [singular: string, plural: string]> = {
  get: ['get', 'gets'],
  put: ['put', 'puts'],
  audit: ['audit', 'audits']
}

/** `1 get`, `3 audits`. */
export function countOf (count: number, operation: ShadowOperation): string {
  const [singular, plural] = OPERATION_NOUNS[operation]
  return `${count} ${count === 1 ? singular : plural}`
}

/** `Gets`, to open a sentence. */
export function operationTitle (operation: ShadowOperation): string {
  const plural = OPERATION_NOUNS[operation][1]
  return plural.charAt(0).toUpperCase() + plural.slice(1)
}

/** `3 puts, 1 get`: the operations with a count, largest first. */
export function countsByOperation (counts: ReadonlyMap<ShadowOperation, number>): string {
  return [...counts].filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([operation, count]) => countOf(count, operation))
    .join(', ')
}

/** `1 time` / `3 times`. */
export function times (count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`
}

/** A value from the engine shown inside a sentence, quoted and cut short. */
export function quoted (value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max - 1)}…` : value)
}

/** Text an engine chose (a target, a signal name), made safe to print: no control characters, not too long. */
export function printable (text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]/g, '?')
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
