// What the Electron preload exposes as `window.vaultHost`: the HostApi verbs plus a push
// channel. Same shape as electron/preload.ts's `VaultBridge`, rebuilt here from the contract
// because the renderer never imports electron/. Each verb resolves with the contract's Result
// value and never rejects: contextBridge would drop a thrown error's name, so the renderer
// unwraps the Result itself (bridge-client.ts).
import type { HostEvent, HostVerb, Result, VerbParams, VerbResult } from '../../../contract/host-api.ts'
import { hostVerbs } from '../../../contract/host-api.ts'

export type VaultBridge =
  { [V in HostVerb]: (params: VerbParams<V>) => Promise<Result<VerbResult<V>>> } &
  { onEvent(listener: (event: HostEvent) => void): () => void }

declare global {
  interface Window {
    /** Present only inside the Electron app; a browser reaches the host over the socket. */
    vaultHost?: VaultBridge
  }
}

/** True when `value` has every verb and `onEvent` as functions: a half-built bridge is not used. */
export function isVaultBridge (value: unknown): value is VaultBridge {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return typeof record.onEvent === 'function' && hostVerbs.every((verb) => typeof record[verb] === 'function')
}
