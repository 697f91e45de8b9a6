// The engine RPC: versioned, validated messages between the host and an engine running as its
// child process (over Node's IPC channel, serialization 'advanced', so bytes cross as Uint8Array).
// Either side parses everything it receives: each method has its own params and result schema.
import { z } from 'zod'
import { AgeHistorySchema, EarningsStatusSchema, ErrorValueSchema, resultSchema, SectionStatusSchema, StoreStatusSchema, VersionsStatusSchema } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'
import { CHUNK_ADDRESS_PATTERN, MAX_CHUNK_BYTES } from '../store/chunk-address.ts'
import { DEFAULT_TRACE_CAPACITY } from '../chunk-protocol/request-trace.ts'
import { STORAGE_PROOF_BYTES, STORAGE_PROOF_NONCE_BYTES } from '../audit/storage-proof.ts'
import { isLoopbackListenAddress } from '../shadow/shadow-mode.ts'
import { ReleaseTrustSchema } from '../../release/release-trust.ts'

/** 3: requests carry params, results are typed per method; trace, and serve for shadow engines. */
export const ENGINE_RPC_VERSION = 3

export const EngineConfigSchema = z.object({
  dataDir: z.string().min(1),
  listen: z.array(z.string()).min(1),
  bootstrap: z.array(z.string()),
  capacityBytes: z.number().int().positive(),
  localNetwork: z.boolean(),
  paused: z.boolean(),
  /** Run as a shadow engine on a read-only snapshot of the live store (issue 5). */
  shadow: z.object({ snapshotDir: z.string().min(1) }).strict().optional(),
  /** The release trust the host was given (release-trust.ts): the engine then follows releases. */
  releaseTrust: ReleaseTrustSchema.optional(),
  /**
   * Section policy (issue 3): the elders' audit interval and a paused vault's grace in churns; the
   * section's defaults where absent. An engine that ignores it keeps its defaults, which is safe:
   * so no new RPC version, and unknown keys inside are dropped as at the top level.
   */
  section: z.object({
    auditIntervalMs: z.number().int().positive().optional(),
    graceChurns: z.number().int().positive().optional(),
    /** Length of a reward epoch (section-rewards.ts). */
    rewardEpochMs: z.number().int().positive().max(24 * 60 * 60 * 1000).optional()
  }).optional()
// Unknown keys are dropped, not refused: a rollback starts an older engine with a newer host's
// config, which may carry fields the older engine never knew. A field an engine must not
// ignore (as `shadow` is) comes with a new ENGINE_RPC_VERSION, which the host checks first.
}).superRefine((config, context) => {
  if (config.shadow === undefined) return
  if (config.releaseTrust !== undefined) context.addIssue({ code: 'custom', path: ['releaseTrust'], message: 'a shadow engine takes no part in releases: expected no release trust' })
  if (config.bootstrap.length > 0) context.addIssue({ code: 'custom', path: ['bootstrap'], message: 'a shadow engine dials nobody: expected no bootstrap peers' })
  for (const [index, address] of config.listen.entries()) {
    if (!isLoopbackListenAddress(address)) context.addIssue({ code: 'custom', path: ['listen', index], message: `a shadow engine listens on loopback only, got ${address}` })
  }
})
export type EngineConfig = z.infer<typeof EngineConfigSchema>

/** The environment variable that carries the engine's config (JSON) from the host. */
export const ENGINE_CONFIG_ENV = 'VAULT_ENGINE_CONFIG'

/**
 * Set to '1' for a warm start: the engine loads its code, reports 'standby' and waits for `begin`
 * before it touches the vault's data, so a switch is down only while the new engine starts,
 * not while it loads (DESIGN §3.7).
 */
export const ENGINE_STANDBY_ENV = 'VAULT_ENGINE_STANDBY'

/** What the engine reports of itself; the host adds process, network and notices to it. */
export const EngineStatusSchema = z.object({
  name: z.string(),
  age: z.number().int().min(0).max(255),
  engineVersion: z.string(),
  protocols: z.array(z.string()),
  peers: z.number().int().nonnegative(),
  listenAddrs: z.array(z.string()),
  paused: z.boolean(),
  store: StoreStatusSchema,
  versions: VersionsStatusSchema,
  /** Absent from engines older than the section protocol (issue 3); null when none runs (shadow mode). */
  section: SectionStatusSchema.nullable().optional(),
  /** Absent from engines older than earnings (issue 3): nothing earned. */
  earnings: EarningsStatusSchema.optional(),
  /** Every name this vault has had, oldest first; [] from engines older than the age history. */
  ageHistory: AgeHistorySchema
})
export type EngineStatus = z.infer<typeof EngineStatusSchema>

const Millis = z.number().int().nonnegative()
const Address = z.string().regex(CHUNK_ADDRESS_PATTERN, 'expected a chunk address: 64 lowercase hex digits')
function bytesOf (what: string, check: (length: number) => boolean, expected: string): z.ZodType<Uint8Array> {
  return z.instanceof(Uint8Array, { message: `"${what}" expected Uint8Array of ${expected}` })
    .superRefine((bytes, context) => {
      if (!check(bytes.length)) context.addIssue({ code: 'custom', message: `"${what}" expected Uint8Array of ${expected}, got ${bytes.length} bytes` })
    })
}
const ChunkBytes = bytesOf('bytes', length => length <= MAX_CHUNK_BYTES, `at most ${MAX_CHUNK_BYTES} bytes`)
const Nonce = bytesOf('nonce', length => length === STORAGE_PROOF_NONCE_BYTES, `${STORAGE_PROOF_NONCE_BYTES} bytes`)
const Proof = bytesOf('proof', length => length === STORAGE_PROOF_BYTES, `${STORAGE_PROOF_BYTES} bytes`)

const NoParams = z.object({}).strict()

export const TraceParamsSchema = z.object({
  /** The newest `limit` entries; all kept by default. */
  limit: z.number().int().positive().max(DEFAULT_TRACE_CAPACITY).optional()
}).strict()

export const TraceEntrySchema = z.object({
  at: Millis,
  op: z.enum(['get', 'put', 'has']),
  address: Address
}).strict()

export const RequestTraceSchema = z.object({
  /** Oldest first. */
  entries: z.array(TraceEntrySchema).max(DEFAULT_TRACE_CAPACITY),
  /** Requests served since the engine started, including those the ring has since dropped. */
  recorded: z.number().int().nonnegative(),
  capacity: z.number().int().positive()
}).strict()
export type RequestTraceResult = z.infer<typeof RequestTraceSchema>

/** One request a shadow engine answers as it would answer a peer (issue 5, deliver 2). */
export const ServeParamsSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('get'), address: Address }).strict(),
  z.object({ op: z.literal('has'), address: Address }).strict(),
  z.object({ op: z.literal('put'), bytes: ChunkBytes }).strict(),
  /** A storage proof: SHA-256(nonce || the chunk's bytes), see audit/storage-proof.ts. */
  z.object({ op: z.literal('audit'), address: Address, nonce: Nonce }).strict()
])
export type ServeParams = z.infer<typeof ServeParamsSchema>

/**
 * What the engine answered. A refusal or failure a peer would get (paused, full, a corrupt chunk)
 * is an `ok: false` reply, compared like any other; the RPC itself fails only when the engine
 * cannot serve at all (not in shadow mode, bad params).
 */
export const ServeReplySchema = z.union([
  z.object({ ok: z.literal(true), op: z.literal('get'), found: z.literal(true), bytes: ChunkBytes }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('get'), found: z.literal(false) }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('has'), found: z.boolean() }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('put'), address: Address, added: z.boolean() }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('audit'), found: z.literal(true), proof: Proof }).strict(),
  z.object({ ok: z.literal(true), op: z.literal('audit'), found: z.literal(false) }).strict(),
  z.object({ ok: z.literal(false), op: z.enum(['get', 'has', 'put', 'audit']), error: ErrorValueSchema }).strict()
])
export type ServeReply = z.infer<typeof ServeReplySchema>

/** How long the engine waits for its section to decide its Leave. */
export const LEAVE_DECISION_WAIT_MS = 60_000

/** Every method with its params and result, as contract/host-api.ts's hostApiSpec. */
export const engineRpcSpec = {
  status: { params: NoParams, result: EngineStatusSchema },
  pause: { params: NoParams, result: EngineStatusSchema },
  resume: { params: NoParams, result: EngineStatusSchema },
  /** Answers with the last status, then stops the engine. */
  stop: { params: NoParams, result: EngineStatusSchema },
  /** The live vault's bounded trace of the requests it served to peers. */
  trace: { params: TraceParamsSchema, result: RequestTraceSchema },
  /** Shadow mode only (ShadowModeRequiredError otherwise). */
  serve: { params: ServeParamsSchema, result: ServeReplySchema },
  /** Standby only (ENGINE_STANDBY_ENV): open the data and start; 'ready' follows as on a cold start. */
  begin: { params: NoParams, result: NoParams },
  /** Runs the self-check now (pause and fix); the status carries it in section.standing.selfCheck. */
  runSelfCheck: { params: NoParams, result: EngineStatusSchema },
  /** A paused vault: self-check, then ask the elders to resume it (SelfCheckFailedError, NotPausedError). */
  reconnect: { params: NoParams, result: EngineStatusSchema },
  /**
   * Leaves the network for good: once the elders decided the Leave, the data dir holds the next
   * name, at the age it may rejoin at; the host stops the engine then (NotAMemberError).
   */
  leave: { params: NoParams, result: z.object({ rejoinAge: z.number().int().min(0).max(255) }).strict(), answersWithinMs: LEAVE_DECISION_WAIT_MS + 30_000 }
} as const


export type EngineMethod = keyof typeof engineRpcSpec
export const engineMethods = Object.keys(engineRpcSpec) as [EngineMethod, ...EngineMethod[]]
export type EngineParams<M extends EngineMethod> = z.infer<(typeof engineRpcSpec)[M]['params']>
export type EngineResult<M extends EngineMethod> = z.infer<(typeof engineRpcSpec)[M]['result']>
export const EngineMethodSchema = z.enum(engineMethods)

/** How long the engine may take to answer `method`: a Leave waits for the elders' decision. */
export function engineAnswerWithinMs (method: EngineMethod, usualMs: number): number {
  const spec = engineRpcSpec[method]
  return Math.max(usualMs, 'answersWithinMs' in spec ? spec.answersWithinMs : 0)
}

/** A request as it crosses the channel: params are checked against the method's schema next. */
export const EngineRequestSchema = z.object({
  rpc: z.literal(ENGINE_RPC_VERSION),
  id: z.number().int().nonnegative(),
  method: EngineMethodSchema,
  params: z.unknown().optional()
}).strict()
export type EngineRequest = z.infer<typeof EngineRequestSchema>

/** A parsed request: switching on `method` narrows `params` to that method's. */
export type EngineCall = { [M in EngineMethod]: { id: number, method: M, params: EngineParams<M> } }[EngineMethod]

export const EngineActivitySchema = z.object({ at: z.number().int().nonnegative(), kind: z.string(), message: z.string() })

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('standby') }),
  z.object({ type: z.literal('ready'), status: EngineStatusSchema }),
  z.object({ type: z.literal('status'), status: EngineStatusSchema }),
  z.object({ type: z.literal('activity'), activity: EngineActivitySchema }),
  z.object({ type: z.literal('fatal'), error: z.object({ name: z.string(), message: z.string() }) })
])
export type EngineEvent = z.infer<typeof EngineEventSchema>

/** A reply's value is parsed by the caller, who knows which method it asked (engineRpcSpec). */
export const EngineMessageSchema = z.union([
  z.object({ rpc: z.literal(ENGINE_RPC_VERSION), id: z.number().int().nonnegative(), result: resultSchema(z.unknown()) }).strict(),
  z.object({ rpc: z.literal(ENGINE_RPC_VERSION), event: EngineEventSchema }).strict()
])
export type EngineMessage = z.infer<typeof EngineMessageSchema>

export class EngineRpcError extends namedError('EngineRpcError') {}

/** A request whose params do not fit its method: answered with this error, never acted on. */
export class InvalidEngineParamsError extends namedError('InvalidEngineParamsError') {}

/** `begin` sent to an engine that is not waiting on standby. */
export class NotOnStandbyError extends namedError('NotOnStandbyError') {}

function versionOf (raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null && 'rpc' in raw ? raw.rpc : undefined
}

/** Parses a message from the engine; names the version when that is what differs. */
export function parseEngineMessage (raw: unknown): EngineMessage {
  const parsed = EngineMessageSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const version = versionOf(raw)
  if (version !== ENGINE_RPC_VERSION) {
    throw new EngineRpcError(`engine speaks RPC version ${String(version)}, this host speaks ${ENGINE_RPC_VERSION}`)
  }
  throw new EngineRpcError(`malformed message from the engine: ${z.prettifyError(parsed.error)}`)
}

/** Checks a request's params against its method's schema (absent params are `{}`). */
export function parseEngineParams<M extends EngineMethod> (method: M, raw: unknown): EngineParams<M> {
  const parsed = engineRpcSpec[method].params.safeParse(raw ?? {})
  if (!parsed.success) throw new InvalidEngineParamsError(`invalid params for "${method}": ${z.prettifyError(parsed.error)}`)
  return parsed.data as EngineParams<M>
}

/** Checks a result against its method's schema. */
export function parseEngineResult<M extends EngineMethod> (method: M, raw: unknown): EngineResult<M> {
  const parsed = engineRpcSpec[method].result.safeParse(raw)
  if (!parsed.success) throw new EngineRpcError(`malformed "${method}" result from the engine: ${z.prettifyError(parsed.error)}`)
  return parsed.data as EngineResult<M>
}

/** Parses a request's envelope from the host; names the version when that is what differs. */
export function parseEngineRequest (raw: unknown): EngineRequest {
  const parsed = EngineRequestSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const version = versionOf(raw)
  if (version !== ENGINE_RPC_VERSION) throw new EngineRpcError(`host speaks RPC version ${String(version)}, this engine speaks ${ENGINE_RPC_VERSION}`)
  throw new EngineRpcError(`malformed request from the host: ${z.prettifyError(parsed.error)}`)
}

/** Checks a request's params against its method (InvalidEngineParamsError), typed by method. */
export function parseEngineCall (request: EngineRequest): EngineCall {
  // The cast pairs each method with its own params, which parseEngineParams just checked.
  return { id: request.id, method: request.method, params: parseEngineParams(request.method, request.params) } as EngineCall
}
