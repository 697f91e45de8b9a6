// A well-formed VaultStatus for tests of transports, which carry it without looking inside.
import type { VaultStatus } from '../../contract/host-api.ts'

export function sampleStatus (overrides: Partial<VaultStatus> = {}): VaultStatus {
  return {
    name: '12D3KooWBRdeVeD7zngW8VfkYkakQJ75ptSvXYvE3yJQrtxdx64k',
    age: 5,
    state: 'active',
    engineVersion: '0.1.0',
    protocols: ['/vault/chunk/1.0.0'],
    peers: 3,
    store: { chunks: 2, bytes: 2048, capacityBytes: 1024 ** 3, full: false, quarantined: 0 },
    network: { kind: 'embedded', bootstrap: [], listenAddrs: [] },
    engine: { pid: 1234, restarts: 0, startedAt: 1 },
    notices: [],
    recentEvents: [],
    updatedAt: 2,
    ...overrides
  }
}
