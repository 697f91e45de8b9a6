// The API the preload exposes to the dashboard as window.vaultHost: the HostApi verbs over IPC,
// plus a subscription to host events. Built from the contract's verb list, so a new verb needs
// no change here. No Electron import: the renderer derives its type (VaultBridge) from this file,
// and tests build the bridge with a fake ipcRenderer.
//
// Nothing is thrown across the bridge: contextBridge copies an Error thrown in the preload as a
// plain Error and drops its name, which callers check. Each verb resolves with the contract's
// Result value instead, and the renderer unwraps it (and throws) in its own world.
import { z } from 'zod'
import { HostEventSchema, hostApiSpec, hostVerbs, resultSchema } from '../contract/host-api.ts'
import type { HostEvent, HostVerb, Result, VerbParams, VerbResult } from '../contract/host-api.ts'
import { EVENT_CHANNEL, verbChannel } from './ipc-channels.ts'

/** Error name of a reply from main that does not match the contract. */
export const INVALID_REPLY_ERROR = 'InvalidReplyError'
/** Error name of an ipcRenderer.invoke that rejected (no handler, main's handler threw). */
export const IPC_ERROR = 'IpcError'

/** The part of Electron's ipcRenderer the bridge uses; the bridge never hands it out. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

export type HostEventListener = (event: HostEvent) => void

/** Each HostApi verb as the bridge offers it: the reply as a Result value, never a rejection. */
export type BridgeVerbs = { [V in HostVerb]: (params: VerbParams<V>) => Promise<Result<VerbResult<V>>> }

function verbCaller<V extends HostVerb> (ipc: IpcRendererLike, verb: V): (params: VerbParams<V>) => Promise<Result<VerbResult<V>>> {
  const replySchema = resultSchema(hostApiSpec[verb].result)
  return async (params) => {
    let raw: unknown
    try {
      raw = await ipc.invoke(verbChannel(verb), { verb, params })
    } catch (err) {
      return { ok: false, error: { name: IPC_ERROR, message: err instanceof Error ? err.message : String(err) } }
    }
    // The reply is checked against the verb's result schema before it reaches the page.
    const parsed = replySchema.safeParse(raw)
    if (!parsed.success) {
      return { ok: false, error: { name: INVALID_REPLY_ERROR, message: `The host's reply to ${verb} does not match the contract: ${z.prettifyError(parsed.error)}` } }
    }
    // Result<z.infer<result schema>> is Result<VerbResult<V>>; tsc cannot see that for a generic V.
    return parsed.data as Result<VerbResult<V>>
  }
}

export function createBridge (ipc: IpcRendererLike): BridgeVerbs & { onEvent(listener: HostEventListener): () => void } {
  const verbs: Partial<Record<HostVerb, unknown>> = {}
  for (const verb of hostVerbs) verbs[verb] = verbCaller(ipc, verb)
  return {
    // Each entry was built by verbCaller for its own verb, which is the BridgeVerbs signature.
    ...(verbs as BridgeVerbs),
    onEvent (listener: HostEventListener): () => void {
      const relay = (_event: unknown, raw: unknown): void => {
        // Events are parsed like any other message crossing a process boundary.
        const parsed = HostEventSchema.safeParse(raw)
        if (parsed.success) listener(parsed.data)
      }
      ipc.on(EVENT_CHANNEL, relay)
      return () => { ipc.removeListener(EVENT_CHANNEL, relay) }
    }
  }
}

/** The type of window.vaultHost in the renderer. */
export type VaultBridge = ReturnType<typeof createBridge>
