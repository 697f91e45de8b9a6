// A valid VaultStatus for tests, with overrides. Parsed through the contract so a fixture that
// drifts from the schema fails loudly instead of testing an impossible state.
import { SectionStandingSchema, SelfCheckSchema, VaultStatusSchema, VersionsStatusSchema, type SectionStanding, type SelfCheck, type VaultStatus, type VersionsStatus } from '../../contract/host-api.ts'

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

/** A self-check that passed, in the engine's order of checks (node-core/engine/audit/self-check.ts). */
export const SAMPLE_SELF_CHECK_PASSED: SelfCheck = SelfCheckSchema.parse({
  passed: true,
  checks: [
    { name: 'chunk-folder', passed: true, detail: '/data/vault/store/chunks is present' },
    { name: 'store-writable', passed: true, detail: 'wrote, synced, read back and deleted a probe file in /data/vault/store/chunks' },
    { name: 'chunks-intact', passed: true, detail: '256 chunk(s) read back intact' },
    { name: 'free-space', passed: true, detail: '40 GiB free on the drive; the vault may grow by 47 GiB more (the drive fills first)' },
    { name: 'listening', passed: true, detail: 'listening on 1 address(es)' },
    { name: 'peers', passed: true, detail: 'connected to 17 vault(s)' }
  ],
  at: 1_700_000_000_700
})

/** A self-check with two failed checks, each with the engine's kind of fix. */
export const SAMPLE_SELF_CHECK_FAILED: SelfCheck = SelfCheckSchema.parse({
  passed: false,
  checks: [
    { name: 'chunk-folder', passed: true, detail: '/data/vault/store/chunks is present' },
    { name: 'store-writable', passed: false, detail: 'writing a probe file in /data/vault/store/chunks failed (EROFS)', fix: 'The drive holding /data/vault/store/chunks is read-only: reconnect it so that it can be written (or repair it with your system\'s disk tool), then press Reconnect.' },
    { name: 'chunks-intact', passed: true, detail: '256 chunk(s) read back intact' },
    { name: 'free-space', passed: true, detail: '40 GiB free on the drive; the vault may grow by 47 GiB more' },
    { name: 'listening', passed: true, detail: 'listening on 1 address(es)' },
    { name: 'peers', passed: false, detail: 'connected to no other vault', fix: 'The vault cannot reach any other vault: check this computer\'s internet connection and that no firewall or VPN blocks the vault, then press Reconnect.' }
  ],
  at: 1_700_000_000_600
})

/** A standing the section paused this vault with (generation 40, deadline 100), with overrides. */
export function sampleStanding (overrides: Partial<SectionStanding> = {}): SectionStanding {
  return SectionStandingSchema.parse({
    state: 'paused',
    pause: { reasons: ['missed-audit x6', 'unresponsive x3'], pausedAt: 40, deadline: 100 },
    deadlineAt: 1_700_021_600_000,
    selfCheck: null,
    rejoinAge: null,
    ...overrides
  })
}

/** sampleStatus (age 12) whose section is at `generation` and holds `standing`. */
export function sampleStandingStatus (standing: SectionStanding = sampleStanding(), generation = 58): VaultStatus {
  const section = sampleStatus().section
  if (section === null) throw new TypeError('sampleStatus has a section')
  return sampleStatus({ section: { ...section, generation, standing } })
}
