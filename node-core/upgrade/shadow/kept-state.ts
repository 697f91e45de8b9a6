// The state that must survive a candidate's data migration (DESIGN §3.4: identity, ports, limits,
// earnings address), read back from what each engine reports of itself after the run.
import type { EngineStatus } from '../../engine/rpc/engine-rpc.ts'
import type { KeptState } from '../verdict/observations.ts'

/**
 * How an engine listens, without the port numbers: shadow engines listen on ports the system picks
 * (never the live vault's), so the transports and hosts are compared, and the peer id is dropped
 * (it is the identity, compared on its own).
 */
export function listenShape (listenAddrs: readonly string[]): string {
  return [...new Set(listenAddrs.map(address => address.replace(/\/p2p\/[^/]+$/, '').replace(/\/(tcp|udp)\/\d+/g, '/$1/<port>')))].sort().join(' ')
}

/** Each field as text, baseline beside candidate; the verdict flags every one that differs. */
export function keptState (baseline: EngineStatus, candidate: EngineStatus): KeptState[] {
  const settings = (status: EngineStatus): string => JSON.stringify({ paused: status.paused, capacityBytes: status.store.capacityBytes })
  return [
    { field: 'identity', baseline: baseline.name, candidate: candidate.name },
    { field: 'age', baseline: String(baseline.age), candidate: String(candidate.age) },
    { field: 'settings', baseline: settings(baseline), candidate: settings(candidate) },
    { field: 'ports', baseline: listenShape(baseline.listenAddrs), candidate: listenShape(candidate.listenAddrs) }
  ]
}
