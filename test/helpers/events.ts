// Waiting on events, never on sleeps: resolves with the first host event that satisfies `match`.
import type { HostEvent, VaultStatus } from '../../contract/host-api.ts'

export interface Subscribable {
  subscribe(listener: (event: HostEvent) => void): () => void
  getStatus(params: Record<string, never>): Promise<VaultStatus>
}

export async function waitForStatus (host: Subscribable, match: (status: VaultStatus) => boolean, what: string, timeoutMs = 60_000): Promise<VaultStatus> {
  const current = await host.getStatus({})
  if (match(current)) return current
  return await new Promise<VaultStatus>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    const unsubscribe = host.subscribe(event => {
      if (event.type !== 'status' || !match(event.status)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(event.status)
    })
  })
}
