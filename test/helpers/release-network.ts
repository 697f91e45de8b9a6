// Waiting on release gossip and on connections, for the tests of releases through the network.
import type { Vault } from '../../node-core/engine/vault.ts'
import type { ReleaseGossip, ReleasePointerEvent } from '../../node-core/release/network/release-gossip.ts'

/** The next release pointer the gossip accepts, or a rejection after `timeoutMs`. */
export async function nextPointer (gossip: ReleaseGossip | undefined, timeoutMs: number): Promise<ReleasePointerEvent> {
  if (gossip === undefined) throw new Error('the vault runs no release gossip')
  return await new Promise<ReleasePointerEvent>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no release pointer within ${timeoutMs} ms`)) }, timeoutMs)
    timer.unref()
    gossip.addEventListener('release:pointer', event => {
      clearTimeout(timer)
      resolve(event.detail)
    }, { once: true })
  })
}

/** Resolves once the vault has at least `count` peers. */
export async function connected (vault: Vault, count: number): Promise<void> {
  while (vault.libp2p.getPeers().length < count) {
    await new Promise<void>(resolve => { vault.addEventListener('vault:peers', () => { resolve() }, { once: true }) })
  }
}
