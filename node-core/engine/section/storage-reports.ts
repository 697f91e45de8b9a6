// An adult's signed report that its store is nearly full (DESIGN §2 "Joins"; reference §7: the
// 2022 code switched joins on when an adult reported storage level 9). While the section's joins
// switch is off, an elder may still propose one join if it carries such a report: from an active
// adult of the section, for the generation the join is proposed at, at level 9 (90 %) or more.
// The report is signed with the adult's vault key, its name, so every elder checks it alike and a
// report never admits more than one join: the join moves the section to the next generation.
import { z } from 'zod'
import { signBytes, verifyBytes, type ReleaseKey } from '../../release/keys.ts'
import type { Proposal } from '../../section/crypto/decisions.ts'
import { FULL_STORAGE_LEVEL } from '../../section/rules/split.ts'
import { NameHexSchema, PrefixSchema } from './statements.ts'

export const STORAGE_REPORT_DOMAIN = 'vault-manager/storage-report/v1'

/** A storage level counts in tenths: 0 (empty) to 10 (full). */
export const StorageLevelSchema = z.number().int().min(0).max(10)

export const StorageReportSchema = z.object({
  reporter: NameHexSchema,
  prefix: PrefixSchema,
  generation: z.number().int().min(0),
  level: StorageLevelSchema,
  signature: z.string().regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature: 128 lowercase hex digits')
}).strict()
export type StorageReport = z.infer<typeof StorageReportSchema>

/** The store's fill in tenths, rounded down; a store with no room for another chunk is full (10). */
export function storageLevel (stats: { bytes: number, capacityBytes: number, full: boolean }): number {
  if (stats.full) return 10
  return Math.min(10, Math.floor((10 * stats.bytes) / stats.capacityBytes))
}

function reportBytes (report: Omit<StorageReport, 'signature'>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([STORAGE_REPORT_DOMAIN, report.prefix, report.generation, report.reporter, report.level]))
}

export function signStorageReport (key: ReleaseKey, report: Omit<StorageReport, 'signature' | 'reporter'>): StorageReport {
  const unsigned = { ...report, reporter: key.public }
  return { ...unsigned, signature: signBytes(key, reportBytes(unsigned)) }
}

/** Whether the reporter's own key signed the report: one it did not is forged, which costs the sender. */
export function storageReportSigned (report: StorageReport): boolean {
  return verifyBytes(report.reporter, reportBytes(report), report.signature)
}

/** What an elder knows of the section a report is checked against. */
export interface StorageReportView {
  prefix: string
  generation: number
  /** Whether `name` is an adult now: a member, not an elder, not paused. */
  isActiveAdult(name: string): boolean
}

/** Why `value` does not show the section needs storage now, or undefined when it does. */
export function storageNeedRefusal (value: unknown, view: StorageReportView): string | undefined {
  const parsed = StorageReportSchema.safeParse(value)
  if (!parsed.success) return `a malformed storage report: ${z.prettifyError(parsed.error).slice(0, 300)}`
  const report = parsed.data
  const whom = `${report.reporter.slice(0, 16)}...`
  if (report.prefix !== view.prefix) return `a storage report for section "${report.prefix}"`
  if (report.generation !== view.generation) return `a storage report for generation ${report.generation}, the section is at ${view.generation}`
  if (!view.isActiveAdult(report.reporter)) return `a storage report from ${whom}, which is not an active adult of the section`
  if (!storageReportSigned(report)) return `a storage report whose signature is not ${whom}'s`
  if (report.level < FULL_STORAGE_LEVEL) return `${whom} reported level ${report.level}: a section needs storage once an adult is at ${FULL_STORAGE_LEVEL} or more`
  return undefined
}

/** The report as a join proposal's payload entries, which are flat. */
export function storageNeedPayload (report: StorageReport): Record<string, string | number> {
  return { storageReporter: report.reporter, storageLevel: report.level, storageSignature: report.signature }
}

/** The report a join proposal carries, rebuilt for checking; undefined when it carries none. */
export function storageNeedOf (proposal: Proposal): Record<string, unknown> | undefined {
  const { storageReporter, storageLevel, storageSignature } = proposal.payload
  if (storageReporter === undefined && storageLevel === undefined && storageSignature === undefined) return undefined
  return { reporter: storageReporter, prefix: proposal.sectionPrefix, generation: proposal.generation, level: storageLevel, signature: storageSignature }
}
