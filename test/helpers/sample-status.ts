// A valid VaultStatus for tests, with overrides. Parsed through the contract so a fixture that
// drifts from the schema fails loudly instead of testing an impossible state.
import { VaultStatusSchema, type VaultStatus } from '../../contract/host-api.ts'

export const SAMPLE_NAME = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

export function sampleStatus (overrides: Partial<VaultStatus> = {}): VaultStatus {
  return VaultStatusSchema.parse({
    name: SAMPLE_NAME,
    age: 12,
    state: 'active',
    engineVersion: '1.4.0',
    protocols: ['/vault/section/2.0.0', '/vault/chunks/1.1.0'],
    peers: 17,
    versions: {
      supportedEras: [1],
      activeEra: 1,
      peers: [{ engineVersion: '1.4.0', compatibility: 'current', count: 15 }, { engineVersion: '1.3.2', compatibility: 'previous', count: 2 }],
      latestRelease: null,
      upgradeRequired: null
    },
    upgrade: {
      policy: 'ask',
      current: { engineVersion: '1.4.0', bundleSha256: null },
      previous: null,
      candidate: null,
      switching: null,
      failedVersions: [],
      history: []
    },
    store: { chunks: 1234, bytes: 3 * 1024 ** 3, capacityBytes: 50 * 1024 ** 3, full: false, quarantined: 0 },
    network: { kind: 'embedded', bootstrap: [], listenAddrs: ['/ip4/127.0.0.1/tcp/40123'] },
    engine: { pid: 4242, restarts: 0, startedAt: 1_700_000_000_000 },
    notices: [],
    recentEvents: [{ at: 1_700_000_000_500, kind: 'engine:started', message: 'Engine 1.4.0 started' }],
    updatedAt: 1_700_000_001_000,
    ...overrides
  })
}
