// Names for the sandbox's isolation layers and the kinds of egress it records (DESIGN §3, step 5).
import type { EgressAttempt, IsolationLayer } from '../../../../contract/upgrade.ts'

export function describeLayer (layer: IsolationLayer['layer']): { label: string, purpose: string } {
  switch (layer) {
    case 'network-namespace': return { label: 'Private network namespace', purpose: 'No byte can leave the machine.' }
    case 'permission-model': return { label: 'Node permission model', purpose: 'Files, child processes, workers and addons are limited.' }
    case 'egress-monitor': return { label: 'Egress monitor', purpose: 'Every socket, DNS lookup and HTTP request is recorded.' }
    case 'environment-allow-list': return { label: 'Environment allow-list', purpose: 'Only listed environment variables reach the engine.' }
    case 'resource-budgets': return { label: 'CPU and memory budgets', purpose: 'An engine over its budget is stopped and fails.' }
    default: {
      const unreachable: never = layer
      throw new TypeError(`unknown isolation layer ${String(unreachable)}`)
    }
  }
}

export function describeEgressKind (kind: EgressAttempt['kind']): string {
  switch (kind) {
    case 'net': return 'TCP connection'
    case 'tls': return 'TLS connection'
    case 'http': return 'HTTP request'
    case 'dns': return 'DNS lookup'
    case 'dgram': return 'UDP datagram'
    case 'child-process': return 'Child process'
    case 'worker': return 'Worker thread'
    case 'fs-write': return 'File write'
    default: {
      const unreachable: never = kind
      throw new TypeError(`unknown egress kind ${String(unreachable)}`)
    }
  }
}

/** Attempts outside the policy first: those are what the owner must see. */
export function sortEgress (attempts: readonly EgressAttempt[]): EgressAttempt[] {
  return [...attempts].sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.at - b.at)
}
