// A valid VaultStatus for tests, with overrides. Parsed through the contract so a fixture that
// drifts from the schema fails loudly instead of testing an impossible state.
import { VaultStatusSchema, VersionsStatusSchema, type VaultStatus, type VersionsStatus } from '../../contract/host-api.ts'

export const SAMPLE_NAME = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

type LatestRelease = NonNullable<VersionsStatus['latestRelease']>

/** A release the engine heard of, fetched and verified: 2 of 3 targets keys, 2 pinned builders. */
export const SAMPLE_VERIFIED_RELEASE: LatestRelease = {
  pointerVersion: 3,
  indexAddress: 'a1'.repeat(32),
  publishedAt: '2026-01-02T03:04:05.000Z',
  check: {
    verdict: 'verified',
    checkedAt: 1_700_000_000_800,
    engineVersion: '1.5.0',
    bundleSha256: 'b2'.repeat(32),
    bundlePath: `/data/vault/releases/${'b2'.repeat(32)}.tar.gz`,
    rootVersion: 2,
    rootSignedBy: ['c3'.repeat(32), 'c4'.repeat(32)],
    signedBy: ['d5'.repeat(32), 'd6'.repeat(32)],
    attestedBy: ['e7'.repeat(32), 'e8'.repeat(32)],
    rollout: { seed: 'f9'.repeat(32), start: '2026-01-02T00:00:00Z', durationSeconds: 7 * 24 * 3600 },
    egress: { allowedHosts: [] },
    eras: [1, 2]
  }
}

/** A release the engine refused, with the attack it stopped. */
export const SAMPLE_REJECTED_RELEASE: LatestRelease = {
  pointerVersion: 4,
  indexAddress: 'a2'.repeat(32),
  publishedAt: '2026-01-03T03:04:05.000Z',
  check: { verdict: 'rejected', checkedAt: 1_700_000_000_900, code: 'threshold-not-met', reasons: ['threshold not met: targets v4 has 1 valid signature(s) of the 2 required from root v2\'s targets keys'] }
}

/** The versions part of a status, with a latest release (checked against the contract). */
export function sampleVersions (latestRelease: LatestRelease | null): VersionsStatus {
  return VersionsStatusSchema.parse({ ...sampleStatus().versions, latestRelease })
}

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
      eraNotice: null,
      followsReleases: false,
      peers: [{ engineVersion: '1.4.0', compatibility: 'current', count: 15 }, { engineVersion: '1.3.2', compatibility: 'previous', count: 2 }],
      latestRelease: null,
      upgradeRequired: null
    },
    section: {
      phase: 'active',
      prefix: '',
      sectionKey: 'a'.repeat(96),
      elders: [{ name: SAMPLE_NAME, age: 12 }],
      members: [{ name: SAMPLE_NAME, age: 12 }],
      memberCount: 1,
      isElder: true,
      isMember: true,
      generation: 0
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
