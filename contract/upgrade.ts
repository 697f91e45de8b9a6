// What the owner sees of upgrades (DESIGN §3, steps 4 to 8): the candidate and its verification,
// the shadow run's evidence and verdict, the schedule, the owner's policy and the history.
// Pure module: no Node, no DOM, no Electron, so every environment may import it.
import { z } from 'zod'

const Millis = z.number().int().nonnegative()

/** One isolation layer of a sandbox and whether it was in force on this machine. */
export const IsolationLayerSchema = z.object({
  layer: z.enum(['network-namespace', 'permission-model', 'egress-monitor', 'environment-allow-list', 'resource-budgets']),
  active: z.boolean(),
  /** Why it is or is not active ("unshare --net: Operation not permitted"). */
  detail: z.string()
}).strict()
export type IsolationLayer = z.infer<typeof IsolationLayerSchema>

/** One attempt to reach outside, recorded by the egress monitor whether or not it was blocked. */
export const EgressAttemptSchema = z.object({
  kind: z.enum(['net', 'tls', 'http', 'dns', 'dgram', 'child-process', 'worker', 'fs-write']),
  /** host:port, a name, a command or a path. */
  target: z.string(),
  /** Allowed by the policy (a learned peer, a host the release names, the sandbox's own directory). */
  allowed: z.boolean(),
  at: Millis
}).strict()
export type EgressAttempt = z.infer<typeof EgressAttemptSchema>

export const ShadowOperationSchema = z.enum(['get', 'put', 'audit'])
export type ShadowOperation = z.infer<typeof ShadowOperationSchema>

/** Latency of one operation for one engine, in milliseconds. */
export const LatencySummarySchema = z.object({
  operation: ShadowOperationSchema,
  count: z.number().int().nonnegative(),
  p50: z.number().nonnegative(),
  p95: z.number().nonnegative()
}).strict()

/** What one engine (baseline or candidate) did during a shadow run. */
export const RunMetricsSchema = z.object({
  engineVersion: z.string(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Responses that differed from the other engine's (or from the chunk's address). */
  mismatches: z.number().int().nonnegative(),
  throughputPerSecond: z.number().nonnegative(),
  latency: z.array(LatencySummarySchema),
  cpuMs: z.number().nonnegative(),
  peakRssBytes: z.number().int().nonnegative()
}).strict()
export type RunMetrics = z.infer<typeof RunMetricsSchema>

export const VerdictResultSchema = z.enum(['pass', 'marginal', 'fail'])
export type VerdictResult = z.infer<typeof VerdictResultSchema>

/** One reason behind a verdict. Critical reasons fail the run on their own. */
export const VerdictReasonSchema = z.object({
  code: z.enum([
    'egress', 'write-outside-sandbox', 'crash', 'hang', 'wrong-data', 'lost-state', 'over-budget',
    'slower', 'lower-throughput', 'more-cpu', 'more-memory', 'more-errors', 'as-good'
  ]),
  severity: z.enum(['critical', 'warning', 'info']),
  /** A sentence a farmer can read: what happened and what it means. */
  message: z.string()
}).strict()
export type VerdictReason = z.infer<typeof VerdictReasonSchema>

export const ShadowVerdictSchema = z.object({
  result: VerdictResultSchema,
  reasons: z.array(VerdictReasonSchema).min(1),
  baseline: RunMetricsSchema,
  candidate: RunMetricsSchema,
  /** Every attempt to reach outside, by the candidate (the baseline's are in its own list). */
  egress: z.array(EgressAttemptSchema),
  isolation: z.array(IsolationLayerSchema),
  startedAt: Millis,
  durationMs: Millis
}).strict()
export type ShadowVerdict = z.infer<typeof ShadowVerdictSchema>

export const UpgradePolicySchema = z.enum(['automatic', 'ask', 'manual'])
export type UpgradePolicy = z.infer<typeof UpgradePolicySchema>

/** How a candidate's origin was checked before it was allowed to run even in a sandbox. */
export const CandidateVerificationSchema = z.object({
  /** 'release': k-of-n signed and attested (issue 4); 'development': a local bundle run by explicit flag. */
  kind: z.enum(['release', 'development']),
  verified: z.boolean(),
  reasons: z.array(z.string()),
  signedBy: z.array(z.string()),
  attestedBy: z.array(z.string())
}).strict()

export const ShadowProgressSchema = z.object({
  state: z.enum(['idle', 'running', 'done']),
  /** 0 to 1. */
  progress: z.number().min(0).max(1),
  startedAt: Millis.nullable()
}).strict()

export const UpgradeCandidateSchema = z.object({
  engineVersion: z.string(),
  bundleSha256: z.string().regex(/^[0-9a-f]{64}$/),
  verification: CandidateVerificationSchema,
  shadow: ShadowProgressSchema,
  verdict: ShadowVerdictSchema.nullable(),
  /** When the rollout schedule makes it eligible for this vault; null until it passed. */
  eligibleAt: Millis.nullable(),
  deferredUntil: Millis.nullable(),
  /** When the active era requires it: the owner cannot defer past this. */
  deadline: Millis.nullable(),
  approved: z.boolean()
}).strict()
export type UpgradeCandidate = z.infer<typeof UpgradeCandidateSchema>

export const SwitchPhaseSchema = z.enum(['draining', 'stopping', 'backing-up', 'starting', 'health-window', 'rolling-back'])

export const UpgradeHistoryEntrySchema = z.object({
  at: Millis,
  kind: z.enum(['shadow-passed', 'shadow-marginal', 'shadow-failed', 'approved', 'deferred', 'switched', 'rolled-back', 'manual-rollback']),
  fromVersion: z.string().nullable(),
  toVersion: z.string().nullable(),
  detail: z.string()
}).strict()
export type UpgradeHistoryEntry = z.infer<typeof UpgradeHistoryEntrySchema>

export const UpgradeStatusSchema = z.object({
  policy: UpgradePolicySchema,
  /** The engine that runs live: the one shipped with the app, or an installed bundle. */
  current: z.object({
    engineVersion: z.string(),
    bundleSha256: z.string().nullable()
  }).strict(),
  /** The version a manual rollback would return to. */
  previous: z.object({ engineVersion: z.string(), bundleSha256: z.string().nullable() }).strict().nullable(),
  candidate: UpgradeCandidateSchema.nullable(),
  switching: z.object({ phase: SwitchPhaseSchema, since: Millis }).strict().nullable(),
  /** Versions that failed a shadow run or a health window: never retried automatically. */
  failedVersions: z.array(z.string()),
  history: z.array(UpgradeHistoryEntrySchema)
}).strict()
export type UpgradeStatus = z.infer<typeof UpgradeStatusSchema>
