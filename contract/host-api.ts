// The one contract between the host and everything that shows it: Electron IPC, the headless
// HTTP/WebSocket server, the CLI and the renderer. Every value that crosses a process boundary is
// parsed with these schemas; errors cross as values, never as thrown exceptions.
// Pure module: no Node, no DOM, no Electron, so every environment may import it.
import { z } from 'zod'
import { namedError } from './named-error.ts'
import { UpgradePolicySchema, UpgradeStatusSchema } from './upgrade.ts'

export const HOST_API_VERSION = 1

export const VaultStateSchema = z.enum([
  'starting', // engine process launching, identity loading
  'active', // serving and accepting data
  'paused', // paused by its owner: serves reads, accepts no new data
  'restarting', // engine died; the host restarts it after a back-off
  'failed', // crash loop: the host gave up until the owner acts
  'stopped',
  'left' // its owner had it leave the network: stopped until the owner resumes it, under a new name
])
export type VaultState = z.infer<typeof VaultStateSchema>

export const NoticeSeveritySchema = z.enum(['info', 'warning', 'critical'])

export const NoticeSchema = z.object({
  id: z.string().min(1),
  severity: NoticeSeveritySchema,
  title: z.string(),
  detail: z.string(),
  fix: z.string().optional(),
  since: z.number().int().nonnegative()
})
export type Notice = z.infer<typeof NoticeSchema>

export const VaultEventSchema = z.object({
  at: z.number().int().nonnegative(),
  kind: z.string().min(1),
  message: z.string()
})
export type VaultEvent = z.infer<typeof VaultEventSchema>

export const StoreStatusSchema = z.object({
  chunks: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  capacityBytes: z.number().int().positive(),
  full: z.boolean(),
  quarantined: z.number().int().nonnegative()
})
export type StoreStatus = z.infer<typeof StoreStatusSchema>

export const NetworkStatusSchema = z.object({
  kind: z.enum(['embedded', 'configured']),
  bootstrap: z.array(z.string()),
  listenAddrs: z.array(z.string())
})

export const EngineProcessStatusSchema = z.object({
  pid: z.number().int().positive().nullable(),
  restarts: z.number().int().nonnegative(),
  startedAt: z.number().int().nonnegative().nullable()
})

export const PeerCompatibilitySchema = z.enum(['current', 'previous', 'too-old', 'newer', 'unrelated'])
export type PeerCompatibility = z.infer<typeof PeerCompatibilitySchema>

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256: 64 lowercase hex digits')
/** TUF key ids and builder key ids: the SHA-256 of the key, as hex. */
const KeyId = Sha256Hex

/** Why the engine refused a release: one code per attack or failure (node-core/release/rejection.ts). */
export const ReleaseRejectionCodeSchema = z.enum([
  'unsigned', 'wrongly-signed', 'threshold-not-met', 'same-key-twice', 'revoked-key',
  'rollback', 'frozen', 'mix-and-match', 'oversized', 'bundle-hash-mismatch',
  'too-few-attestations', 'attestation-mismatch', 'unknown-builder', 'bad-attestation-signature',
  'malformed', 'no-release', 'unavailable', 'error'
])
export type ReleaseRejectionCode = z.infer<typeof ReleaseRejectionCodeSchema>

/** A release's signed rollout (DESIGN §3.6): HMAC(seed, name) against a cursor from start over the duration. */
export const ReleaseRolloutSchema = z.object({
  seed: Sha256Hex,
  start: z.iso.datetime({ offset: false }),
  durationSeconds: z.number().int().positive()
}).strict()

/**
 * The engine's check of the release a pointer names (DESIGN §3.1-3.3): fetched from peers, verified
 * by tuf-js and the pinned builders. A rejection is shown too, with its code, so the owner sees it.
 */
export const ReleaseCheckSchema = z.discriminatedUnion('verdict', [
  z.object({
    verdict: z.literal('verified'),
    checkedAt: z.number().int().nonnegative(),
    engineVersion: z.string().min(1),
    bundleSha256: Sha256Hex,
    /** The verified bundle, kept by the engine as <its data dir>/releases/<sha256>.tar.gz. */
    bundlePath: z.string().min(1),
    /** The trusted root after this check (root rotation moves it forward, never back). */
    rootVersion: z.number().int().positive(),
    /** Root keys whose signatures on that root counted toward its threshold. */
    rootSignedBy: z.array(KeyId),
    /** Targets keys whose signatures counted toward the targets threshold. */
    signedBy: z.array(KeyId),
    /** Pinned builders whose attestations of the bundle matched. */
    attestedBy: z.array(KeyId),
    rollout: ReleaseRolloutSchema,
    /** The signed egress policy: host names the engine may resolve (DESIGN §3.8). */
    egress: z.object({ allowedHosts: z.array(z.string().min(1)) }).strict(),
    /** The eras the release supports, ascending. */
    eras: z.array(z.number().int().positive()).min(1).max(2)
  }).strict(),
  z.object({
    verdict: z.literal('rejected'),
    checkedAt: z.number().int().nonnegative(),
    code: ReleaseRejectionCodeSchema,
    reasons: z.array(z.string()).min(1)
  }).strict()
])
export type ReleaseCheck = z.infer<typeof ReleaseCheckSchema>

/**
 * The vault's release does not support its section's era (DESIGN §2, versions and eras): a
 * 'warning' while the era is decided but not yet in effect, an 'error' once it is and the vault
 * has stopped rather than misbehave.
 */
export const EraNoticeSchema = z.object({
  level: z.enum(['warning', 'error']),
  text: z.string()
}).strict()
export type EraNotice = z.infer<typeof EraNoticeSchema>

/** What the engine knows of versions (DESIGN §2, versions and eras; §3, release gossip). */
export const VersionsStatusSchema = z.object({
  supportedEras: z.array(z.number().int().positive()).min(1).max(2),
  activeEra: z.number().int().positive(),
  /** Absent from engines older than live eras. */
  eraNotice: EraNoticeSchema.nullable().default(null),
  /** Whether the vault follows release gossip: a release trust (TUF root and builders) is configured. */
  followsReleases: z.boolean().default(false),
  /** Known peers grouped by engine version ('unknown' for agents that are not vaults) and compatibility. */
  peers: z.array(z.object({
    engineVersion: z.string(),
    compatibility: PeerCompatibilitySchema,
    count: z.number().int().positive()
  }).strict()),
  /** The newest verified release pointer heard through gossip; null without a trusted release root, or before one is heard. */
  latestRelease: z.object({
    pointerVersion: z.number().int().positive(),
    indexAddress: z.string(),
    publishedAt: z.string(),
    /** The check of the release it names; null while the engine fetches and verifies it. */
    check: ReleaseCheckSchema.nullable()
  }).strict().nullable(),
  /** The last time a peer said this vault is outdated, and the protocol ids it needs at least. */
  upgradeRequired: z.object({
    minimum: z.array(z.string()).min(1),
    since: z.number().int().nonnegative()
  }).strict().nullable()
}).strict()
export type VersionsStatus = z.infer<typeof VersionsStatusSchema>

/** At most this many members are listed in a status; `memberCount` has them all. */
export const MAX_STATUS_MEMBERS = 64
/** Reward records a status carries: the newest, enough for the dashboard's chart and table. */
export const MAX_STATUS_EARNINGS_RECORDS = 200

export const SectionVaultSchema = z.object({
  /** The vault's PeerId, as `name` above. */
  name: z.string(),
  age: z.number().int().min(0).max(255)
}).strict()

/** A vault's self-check (DESIGN §2, pause and fix): each check, and for a failed one the farmer's fix. */
export const SelfCheckSchema = z.object({
  passed: z.boolean(),
  checks: z.array(z.object({
    name: z.string(),
    passed: z.boolean(),
    detail: z.string(),
    /** One concrete sentence for the farmer, on a failed check. */
    fix: z.string().optional()
  }).strict()).min(1).max(16),
  /** When it ran, in ms since the Unix epoch. */
  at: z.number().int().nonnegative()
}).strict()
export type SelfCheck = z.infer<typeof SelfCheckSchema>

/** The failed checks' fixes, in the order the engine ran the checks; none before a self-check. */
export function failedCheckFixes (selfCheck: SelfCheck | null | undefined): string[] {
  return selfCheck?.checks.flatMap(check => check.passed || check.fix === undefined ? [] : [check.fix]) ?? []
}

/**
 * This vault's standing in its section (DESIGN §2, pause, fix, demote). 'paused': the elders
 * decided a pause, with reasons, and the vault must be fixed by `deadline` (a generation: churns);
 * 'resume-requested': its self-check passed and it asked the elders to resume it, who audit it on
 * probation; 'demoted': the deadline passed or it was paused too often: it was removed, and may
 * rejoin at `rejoinAge`.
 */
export const SectionStandingSchema = z.object({
  state: z.enum(['active', 'paused', 'resume-requested', 'demoted']),
  /** The section's signed pause decision: its reasons, and the generations it was decided at and expires at. */
  pause: z.object({
    reasons: z.array(z.string()).min(1),
    pausedAt: z.number().int().nonnegative(),
    deadline: z.number().int().nonnegative()
  }).strict().nullable(),
  /** When the deadline is expected, at the section's recent churn rate (ms since the epoch); null without an estimate. */
  deadlineAt: z.number().int().nonnegative().nullable(),
  /** The last self-check the vault ran while paused; null before one. */
  selfCheck: SelfCheckSchema.nullable(),
  /** After a demotion: the age this vault rejoins at. */
  rejoinAge: z.number().int().min(0).max(255).nullable()
}).strict()
export type SectionStanding = z.infer<typeof SectionStandingSchema>

export const ACTIVE_STANDING: SectionStanding = { state: 'active', pause: null, deadlineAt: null, selfCheck: null, rejoinAge: null }

/**
 * The vault's section (DESIGN §2, issue 3). 'forming': fewer than 7 vaults known, or the oldest
 * still agreeing on their set, so there are no elders and `members` lists the vaults known so far;
 * 'keying': this vault is an elder running the DKG; 'confirming': its DKG is done and it waits for
 * a supermajority of the elders to sign the same section key; 'active': the section key and the
 * elders are known, and `members` are the vaults admitted by verified decisions.
 */
export const SectionStatusSchema = z.object({
  phase: z.enum(['forming', 'keying', 'confirming', 'active']),
  /** Bits, most significant first: '' while the network is one section. */
  prefix: z.string().regex(/^[01]{0,64}$/),
  /** The latest section key (compressed BLS12-381 G1, hex); null until the section has one. */
  sectionKey: z.string().regex(/^[0-9a-f]{96}$/).nullable(),
  /** In index order (the order of their key shares). */
  elders: z.array(SectionVaultSchema).max(7),
  /** Oldest first, at most MAX_STATUS_MEMBERS of them. */
  members: z.array(SectionVaultSchema).max(MAX_STATUS_MEMBERS),
  memberCount: z.number().int().nonnegative(),
  isElder: z.boolean(),
  isMember: z.boolean(),
  /** The membership generation: how many decisions (joins, eras, pauses...) the section has made since its genesis. */
  generation: z.number().int().nonnegative(),
  /**
   * Whether the section admits a new vault now (DESIGN §2 "Joins": while it needs storage, that
   * is a member left since the last join or it is too small to store); an adult's report that it
   * is 90 % full lets one in besides. Absent while the section forms, and from older engines.
   */
  joinsAllowed: z.boolean().optional(),
  /** Absent from engines older than pause-and-fix: they are active. */
  standing: SectionStandingSchema.default(ACTIVE_STANDING)
}).strict()
export type SectionStatus = z.infer<typeof SectionStatusSchema>

/** One signed reward record naming this vault (DESIGN §2 "Earnings"), as the dashboard shows it. */
export const EarningsRecordSchema = z.object({
  epoch: z.number().int().nonnegative(),
  sectionPrefix: z.string().regex(/^[01]{0,64}$/),
  /** This vault's share, in ledger units. */
  amount: z.number().int().nonnegative(),
  /** The whole pool the record split. */
  pool: z.number().int().nonnegative(),
  /** When this vault received and verified it (ms since the epoch). */
  signedAt: z.number().int().nonnegative().optional()
}).strict()
export type EarningsRecord = z.infer<typeof EarningsRecordSchema>

/** The sum of the verified reward records naming this vault: earned, not self-reported. */
export const EarningsStatusSchema = z.object({
  /** Ledger units, in decimal: the sum may outgrow a JSON number. */
  total: z.string().regex(/^(0|[1-9][0-9]*)$/),
  /** Oldest first, the newest MAX_STATUS_EARNINGS_RECORDS of them. */
  records: z.array(EarningsRecordSchema).max(MAX_STATUS_EARNINGS_RECORDS),
  /** Why the kept records could not be read, if they could not (the file is kept aside). */
  problem: z.string().optional()
}).strict()
export type EarningsStatus = z.infer<typeof EarningsStatusSchema>

export const NO_EARNINGS: EarningsStatus = { total: '0', records: [] }

/** Names a vault's age history keeps (age-history.ts), and so at most this many in a status. */
export const MAX_AGE_HISTORY = 256

/**
 * One name this vault has had (DESIGN §2: age = the name's last byte; issue 3 deliver 7): 'new' a
 * first start's name of age 5; 'relocated' ground at age + 1 after the section moved it; 'demoted'
 * ground at half its age after pause-and-fix; 'left' ground at half its age after it left the
 * network by a Leave decision, to rejoin later; 'earlier' the name a vault had when it started
 * keeping its history (it ran an engine older than the history): `at` is then null, unknown.
 */
export const AgeHistoryEntrySchema = z.object({
  /** When the name was ground, in ms since the epoch; null when unknown ('earlier'). */
  at: z.number().int().nonnegative().nullable(),
  /** The ed25519 public key, hex. */
  name: z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as hex'),
  age: z.number().int().min(0).max(255),
  reason: z.enum(['new', 'relocated', 'demoted', 'left', 'earlier'])
}).strict()
export type AgeHistoryEntry = z.infer<typeof AgeHistoryEntrySchema>
export type AgeHistoryReason = AgeHistoryEntry['reason']

/** Oldest first; absent from engines older than the age history, which then shows none. */
export const AgeHistorySchema = z.array(AgeHistoryEntrySchema).max(MAX_AGE_HISTORY).default([])

export const VaultStatusSchema = z.object({
  name: z.string(), // the vault's PeerId: its ed25519 public key
  age: z.number().int().min(0).max(255), // the last byte of the name
  state: VaultStateSchema,
  engineVersion: z.string(),
  protocols: z.array(z.string()),
  peers: z.number().int().nonnegative(),
  versions: VersionsStatusSchema,
  /** Null when the engine runs no section (a shadow engine, or one older than the section protocol). */
  section: SectionStatusSchema.nullable(),
  /** Absent from engines older than earnings (issue 3): nothing earned. */
  earnings: EarningsStatusSchema.default(NO_EARNINGS),
  /** Every name this vault has had, oldest first (issue 3 deliver 7). */
  ageHistory: AgeHistorySchema,
  upgrade: UpgradeStatusSchema,
  store: StoreStatusSchema,
  network: NetworkStatusSchema,
  engine: EngineProcessStatusSchema,
  notices: z.array(NoticeSchema),
  recentEvents: z.array(VaultEventSchema),
  updatedAt: z.number().int().nonnegative()
})
export type VaultStatus = z.infer<typeof VaultStatusSchema>

const NoParams = z.object({}).strict()

/** Every verb the host offers: its parameters and its result, each with a runtime schema. */
export const hostApiSpec = {
  getStatus: { params: NoParams, result: VaultStatusSchema },
  pause: { params: NoParams, result: VaultStatusSchema },
  resume: { params: NoParams, result: VaultStatusSchema },
  /** Looks for a candidate (a verified release heard through the network) and shadow-tests it. */
  checkUpgrade: { params: NoParams, result: VaultStatusSchema },
  /** Shadow-tests a local bundle: development only, the owner's explicit choice. */
  shadowUpgrade: {
    params: z.object({ candidatePath: z.string().min(1), durationSeconds: z.number().int().min(5).max(3600).optional() }).strict(),
    result: VaultStatusSchema
  },
  approveUpgrade: { params: NoParams, result: VaultStatusSchema },
  deferUpgrade: { params: z.object({ until: z.number().int().nonnegative() }).strict(), result: VaultStatusSchema },
  rollbackUpgrade: { params: NoParams, result: VaultStatusSchema },
  setUpgradePolicy: { params: z.object({ policy: UpgradePolicySchema }).strict(), result: VaultStatusSchema },
  /** Runs the vault's self-check now (pause and fix); the result is in section.standing.selfCheck. */
  runSelfCheck: { params: NoParams, result: VaultStatusSchema },
  /**
   * Reconnect a vault its section paused: runs the self-check and, once it passes, asks the elders to
   * resume it. Fails (SelfCheckFailedError) with the failed checks' fixes, or (NotPausedError) when
   * the section has not paused it.
   */
  reconnect: { params: NoParams, result: VaultStatusSchema },
  /**
   * Leaves the network for good: the elders decide this vault's Leave, the host stops it and keeps
   * it stopped (state 'left'). Resume starts it again under a new name at half its age.
   * Fails (NotAMemberError) when the vault is not a member of a section.
   */
  leave: { params: NoParams, result: VaultStatusSchema }
} as const

export type HostVerb = keyof typeof hostApiSpec
export const hostVerbs = Object.keys(hostApiSpec) as HostVerb[]
export type VerbParams<V extends HostVerb> = z.infer<(typeof hostApiSpec)[V]['params']>
export type VerbResult<V extends HostVerb> = z.infer<(typeof hostApiSpec)[V]['result']>

/** What a host implements and what a client (preload bridge or WebSocket) exposes. */
export type HostApi = { [V in HostVerb]: (params: VerbParams<V>) => Promise<VerbResult<V>> }

/** A HostApi whose every verb goes through one generic call (a transport: IPC, a socket). */
export function hostApiThrough (call: <V extends HostVerb>(verb: V, params: VerbParams<V>) => Promise<VerbResult<V>>): HostApi {
  const api: Partial<Record<HostVerb, unknown>> = {}
  for (const verb of hostVerbs) api[verb] = async (params: VerbParams<typeof verb>) => await call(verb, params)
  return api as HostApi
}

export const ErrorValueSchema = z.object({ name: z.string(), message: z.string() })
export type ErrorValue = z.infer<typeof ErrorValueSchema>

export type Result<T> = { ok: true, value: T } | { ok: false, error: ErrorValue }

export function resultSchema<T extends z.ZodType> (value: T): z.ZodType<Result<z.infer<T>>> {
  return z.union([
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorValueSchema })
  ]) as unknown as z.ZodType<Result<z.infer<T>>>
}

export const HostRequestSchema = z.object({
  verb: z.enum(hostVerbs as [HostVerb, ...HostVerb[]]),
  params: z.unknown().optional()
})
export type HostRequest = z.infer<typeof HostRequestSchema>

export const HostEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: VaultStatusSchema }),
  z.object({ type: z.literal('event'), event: VaultEventSchema })
])
export type HostEvent = z.infer<typeof HostEventSchema>

/** Messages on the headless WebSocket: the client sends requests, the host replies and pushes events. */
export const SocketClientMessageSchema = z.object({
  id: z.number().int().nonnegative(),
  request: HostRequestSchema
})
export type SocketClientMessage = z.infer<typeof SocketClientMessageSchema>

export const SocketServerMessageSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), reply: resultSchema(z.unknown()) }),
  z.object({ event: HostEventSchema })
])
export type SocketServerMessage = z.infer<typeof SocketServerMessageSchema>

export class InvalidRequestError extends namedError('InvalidRequestError') {}

export function toErrorValue (err: unknown): ErrorValue {
  if (err instanceof z.ZodError) {
    return { name: InvalidRequestError.NAME, message: z.prettifyError(err) }
  }
  if (err instanceof Error) return { name: err.name, message: err.message }
  return { name: 'Error', message: String(err) }
}

/** Error carried back across a boundary, keeping the sender's name so callers can check it. */
export class RemoteError extends Error {
  constructor (value: ErrorValue) {
    super(value.message)
    this.name = value.name
  }
}

/** Parses the parameters for one verb and its result; generic so each verb keeps its own types. */
async function callVerb<V extends HostVerb> (api: HostApi, verb: V, rawParams: unknown): Promise<VerbResult<V>> {
  const spec = hostApiSpec[verb]
  const params = spec.params.parse(rawParams) as VerbParams<V>
  const call = api[verb] as (params: VerbParams<V>) => Promise<VerbResult<V>>
  return spec.result.parse(await call.call(api, params)) as VerbResult<V>
}

/**
 * Parses an untrusted request, calls the verb and returns its result as a value.
 * Both transports (Electron IPC and the headless socket) go through here.
 */
export async function dispatchHostRequest (api: HostApi, raw: unknown): Promise<Result<unknown>> {
  try {
    const request = HostRequestSchema.parse(raw)
    return { ok: true, value: await callVerb(api, request.verb, request.params ?? {}) }
  } catch (err) {
    return { ok: false, error: toErrorValue(err) }
  }
}

/** Checks a reply that came back across a boundary and unwraps it, or throws the remote error. */
export function unwrapReply<V extends HostVerb> (verb: V, raw: unknown): VerbResult<V> {
  const reply = resultSchema(z.unknown()).parse(raw)
  if (!reply.ok) throw new RemoteError(reply.error)
  return hostApiSpec[verb].result.parse(reply.value) as VerbResult<V>
}
