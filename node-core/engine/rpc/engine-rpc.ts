// The engine RPC: versioned, validated messages between the host and a live engine running as
// its child process (over Node's IPC channel). Either side parses everything it receives.
import { z } from 'zod'
import { resultSchema, StoreStatusSchema, VersionsStatusSchema } from '../../../contract/host-api.ts'
import { namedError } from '../../../contract/named-error.ts'

/** 2: the engine's status carries what it knows of versions (peers, eras, releases). */
export const ENGINE_RPC_VERSION = 2

export const EngineConfigSchema = z.object({
  dataDir: z.string().min(1),
  listen: z.array(z.string()).min(1),
  bootstrap: z.array(z.string()),
  capacityBytes: z.number().int().positive(),
  localNetwork: z.boolean(),
  paused: z.boolean()
}).strict()
export type EngineConfig = z.infer<typeof EngineConfigSchema>

/** The environment variable that carries the engine's config (JSON) from the host. */
export const ENGINE_CONFIG_ENV = 'VAULT_ENGINE_CONFIG'

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
  versions: VersionsStatusSchema
})
export type EngineStatus = z.infer<typeof EngineStatusSchema>

export const EngineMethodSchema = z.enum(['status', 'pause', 'resume', 'stop'])
export type EngineMethod = z.infer<typeof EngineMethodSchema>

export const EngineRequestSchema = z.object({
  rpc: z.literal(ENGINE_RPC_VERSION),
  id: z.number().int().nonnegative(),
  method: EngineMethodSchema
}).strict()
export type EngineRequest = z.infer<typeof EngineRequestSchema>

export const EngineActivitySchema = z.object({ at: z.number().int().nonnegative(), kind: z.string(), message: z.string() })

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), status: EngineStatusSchema }),
  z.object({ type: z.literal('status'), status: EngineStatusSchema }),
  z.object({ type: z.literal('activity'), activity: EngineActivitySchema }),
  z.object({ type: z.literal('fatal'), error: z.object({ name: z.string(), message: z.string() }) })
])
export type EngineEvent = z.infer<typeof EngineEventSchema>

export const EngineMessageSchema = z.union([
  z.object({ rpc: z.literal(ENGINE_RPC_VERSION), id: z.number().int().nonnegative(), result: resultSchema(EngineStatusSchema) }).strict(),
  z.object({ rpc: z.literal(ENGINE_RPC_VERSION), event: EngineEventSchema }).strict()
])
export type EngineMessage = z.infer<typeof EngineMessageSchema>

export class EngineRpcError extends namedError('EngineRpcError') {}

/** Parses a message from the engine; names the version when that is what differs. */
export function parseEngineMessage (raw: unknown): EngineMessage {
  const parsed = EngineMessageSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const version = typeof raw === 'object' && raw !== null && 'rpc' in raw ? raw.rpc : undefined
  if (version !== ENGINE_RPC_VERSION) {
    throw new EngineRpcError(`engine speaks RPC version ${String(version)}, this host speaks ${ENGINE_RPC_VERSION}`)
  }
  throw new EngineRpcError(`malformed message from the engine: ${z.prettifyError(parsed.error)}`)
}
