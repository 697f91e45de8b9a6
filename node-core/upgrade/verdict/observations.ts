// What the shadow runner observed of baseline and candidate (DESIGN §3.4), the input of the
// verdict. The runner assembles it from child processes and monitors, so it is parsed, not trusted.
import { z } from 'zod'
import { EgressAttemptSchema, IsolationLayerSchema, ShadowOperationSchema } from '../../../contract/upgrade.ts'

const Millis = z.number().int().nonnegative()

/** One replayed request as one engine answered it; both engines get the same requests in the same order. */
export const RequestRecordSchema = z.object({
  operation: ShadowOperationSchema,
  latencyMs: z.number().nonnegative().finite(),
  ok: z.boolean(),
  /** A digest of the response (the bytes of a get, the address of a put, the proof of an audit). */
  digest: z.string()
}).strict()
export type RequestRecord = z.infer<typeof RequestRecordSchema>

export const CrashSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable()
}).strict()
export type Crash = z.infer<typeof CrashSchema>

export const BudgetSchema = z.enum(['cpu', 'memory'])
export type Budget = z.infer<typeof BudgetSchema>

export const EngineObservationSchema = z.object({
  engineVersion: z.string(),
  /** In replay order. */
  requests: z.array(RequestRecordSchema),
  cpuMs: z.number().nonnegative().finite(),
  peakRssBytes: z.number().int().nonnegative(),
  /** Wall time from the first request sent to the last answered. */
  durationMs: Millis,
  /** Set when the engine exited before it was told to stop. */
  crash: CrashSchema.nullable(),
  /** Stopped answering and was killed. */
  hang: z.boolean(),
  /** The budget it went over (and was killed for), if any. */
  overBudget: BudgetSchema.nullable(),
  egress: z.array(EgressAttemptSchema)
}).strict()
export type EngineObservation = z.infer<typeof EngineObservationSchema>

export const StateFieldSchema = z.enum(['identity', 'age', 'settings', 'ports', 'earnings'])
export type StateField = z.infer<typeof StateFieldSchema>

/** One piece of state read back from each engine after its data migration, as text to compare. */
export const KeptStateSchema = z.object({
  field: StateFieldSchema,
  baseline: z.string(),
  candidate: z.string()
}).strict()
export type KeptState = z.infer<typeof KeptStateSchema>

export const ShadowObservationsSchema = z.object({
  baseline: EngineObservationSchema,
  candidate: EngineObservationSchema,
  state: z.array(KeptStateSchema),
  isolation: z.array(IsolationLayerSchema),
  startedAt: Millis
}).strict()
export type ShadowObservations = z.infer<typeof ShadowObservationsSchema>
