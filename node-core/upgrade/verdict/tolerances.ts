// How much worse than the current version a candidate may be before the verdict says so (issue 5,
// deliver 3). Two levels, as automated canary analysis has them: past the marginal level the owner
// must approve the switch; past the fail level the candidate is not installed. Ratios are
// candidate over baseline; floors keep noise in tiny figures from counting as a difference.
import { z } from 'zod'
import { DEFAULT_CONFIDENCE } from './mann-whitney.ts'

export const VerdictTolerancesSchema = z.object({
  /** Of the interval for each operation's latency shift (Kayenta's Mann-Whitney classifier uses 98%). */
  confidence: z.number().gt(0).lt(1),
  /** A latency shift counts once the interval's lower end passes this share of the baseline's median… */
  latencyShiftFraction: z.number().nonnegative(),
  /** …and this many milliseconds, so sub-millisecond jitter never does. */
  latencyShiftFloorMs: z.number().nonnegative(),
  /** A significant shift with the candidate's median at least this many times the baseline's fails. */
  latencyFailRatio: z.number().gt(1),
  /** Fewer answered requests of an operation than this, on either side, and its latency is not judged. */
  minLatencySamples: z.number().int().min(2),
  throughputMarginalRatio: z.number().gt(0).max(1),
  throughputFailRatio: z.number().gt(0).max(1),
  cpuMarginalRatio: z.number().min(1),
  cpuFailRatio: z.number().min(1),
  cpuFloorMs: z.number().nonnegative(),
  memoryMarginalRatio: z.number().min(1),
  memoryFailRatio: z.number().min(1),
  memoryFloorBytes: z.number().int().nonnegative()
}).strict()
  .refine(t => t.throughputFailRatio <= t.throughputMarginalRatio, { message: 'throughputFailRatio must not exceed throughputMarginalRatio' })
  .refine(t => t.cpuFailRatio >= t.cpuMarginalRatio, { message: 'cpuFailRatio must be at least cpuMarginalRatio' })
  .refine(t => t.memoryFailRatio >= t.memoryMarginalRatio, { message: 'memoryFailRatio must be at least memoryMarginalRatio' })
export type VerdictTolerances = z.infer<typeof VerdictTolerancesSchema>

export const DEFAULT_VERDICT_TOLERANCES: VerdictTolerances = Object.freeze({
  confidence: DEFAULT_CONFIDENCE,
  latencyShiftFraction: 0.1,
  latencyShiftFloorMs: 1,
  // Issue 5: a candidate twice as slow must fail; half again as slow already does.
  latencyFailRatio: 1.5,
  minLatencySamples: 10,
  throughputMarginalRatio: 0.9,
  throughputFailRatio: 0.6,
  cpuMarginalRatio: 1.3,
  cpuFailRatio: 2,
  cpuFloorMs: 100,
  memoryMarginalRatio: 1.5,
  memoryFailRatio: 2,
  memoryFloorBytes: 16 * 1024 * 1024
})

/** The defaults with the caller's changes, checked as a whole (a fail level past its marginal level is refused). */
export function resolveTolerances (overrides: Partial<VerdictTolerances> = {}): VerdictTolerances {
  const parsed = VerdictTolerancesSchema.safeParse({ ...DEFAULT_VERDICT_TOLERANCES, ...overrides })
  if (!parsed.success) throw new RangeError(`"tolerances" expected verdict tolerances: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}
