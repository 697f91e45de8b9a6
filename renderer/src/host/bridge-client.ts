// HostApi over the Electron preload bridge. The preload already checks what main sends, but
// the renderer checks again: every value from the other side of a boundary is parsed here.
import { HostEventSchema, hostApiSpec, type HostVerb, type VerbParams, type VerbResult } from '../../../contract/host-api.ts'
import type { HostClient, HostClientListener } from './client-types.ts'
import { ProtocolError } from './errors.ts'
import type { VaultBridge } from './vault-bridge.ts'

export function createBridgeClient (bridge: VaultBridge): HostClient {
  let unsubscribe: (() => void) | null = null
  let listener: HostClientListener | null = null

  async function request<V extends HostVerb> (verb: V, params: VerbParams<V>): Promise<VerbResult<V>> {
    const value: unknown = await bridge[verb](params)
    const parsed = hostApiSpec[verb].result.safeParse(value)
    if (!parsed.success) throw new ProtocolError(`The host's answer to ${verb} does not match the contract.`)
    return parsed.data as VerbResult<V>
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
    getStatus: (params) => request('getStatus', params),
    pause: (params) => request('pause', params),
    resume: (params) => request('resume', params)
  }
}
