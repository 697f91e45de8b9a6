// HostApi over the Electron preload bridge. The preload already checks what main sends, but
// the renderer checks again: every value from the other side of a boundary is parsed here.
// The bridge never throws (contextBridge would drop an error's name); it resolves with the
// contract's Result, which is unwrapped here so a host error becomes a RemoteError created in
// this world, keeping the host's name.
import {
  hostApiThrough, HostEventSchema, RemoteError, unwrapReply,
  type HostVerb, type VerbParams, type VerbResult
} from '../../../contract/host-api.ts'
import type { HostClient, HostClientListener } from './client-types.ts'
import { ProtocolError } from './errors.ts'
import type { VaultBridge } from './vault-bridge.ts'

export function createBridgeClient (bridge: VaultBridge): HostClient {
  let unsubscribe: (() => void) | null = null
  let listener: HostClientListener | null = null

  async function request<V extends HostVerb> (verb: V, params: VerbParams<V>): Promise<VerbResult<V>> {
    const send = bridge[verb] as (params: VerbParams<V>) => Promise<unknown>
    const reply: unknown = await send(params)
    try {
      return unwrapReply(verb, reply)
    } catch (err) {
      // unwrapReply throws RemoteError for the host's own errors: pass those on as they are.
      if (err instanceof RemoteError) throw err
      throw new ProtocolError(`The host's answer to ${verb} does not match the contract.`)
    }
  }

  return {
    transport: 'electron',
    connect (next) {
      unsubscribe?.()
      listener = next
      unsubscribe = bridge.onEvent((raw: unknown) => {
        const parsed = HostEventSchema.safeParse(raw)
        if (parsed.success) listener?.onEvent(parsed.data)
        else listener?.onProtocolError('The host pushed an event this dashboard does not understand.')
      })
      // IPC has no connection to lose: the bridge is usable as soon as the page runs.
      listener.onConnection({ phase: 'open' })
    },
    reconnectNow () {},
    close () {
      unsubscribe?.()
      unsubscribe = null
      listener?.onConnection({ phase: 'closed' })
      listener = null
    },
    ...hostApiThrough(request)
  }
}
