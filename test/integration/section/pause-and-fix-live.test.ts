// Pause, fix, demote live over libp2p on loopback (issue 3 deliver 4 and 6): eight vaults form a
// section; the elders place audit chunks on the adult and challenge it. Its chunk folder goes
// away (a drive unplugged): the audits fail, the elders pause it by a signed decision with the
// reasons, and its self-check names the fix. The folder comes back: Reconnect passes the
// self-check, the elders' probation audits pass, and a Resume keeps its name and age. Unplugged
// again, it is paused again; two vaults join, the grace of two churns runs out, and the elders
// demote it, to rejoin at half its age.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SectionStanding } from '../../../contract/host-api.ts'
import type { VaultIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import { CHUNKS_DIR } from '../../../node-core/engine/store/chunk-layout.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { foundingAge } from '../../../node-core/localnet/local-network.ts'
import { identitiesOfAges } from '../../helpers/names.ts'

const FOUNDERS = 8
const GRACE_CHURNS = 2
const SECTION = { formingSettleMs: 2000, proposalTimeoutMs: 2000, dkgRoundTimeoutMs: 10_000, joinRetryMs: 2000, pauseAndFix: { graceChurns: GRACE_CHURNS } }
const STANDING = { auditIntervalMs: 300, pausedSelfCheckMs: 300, audit: { timeoutMs: 2000 } }
const WATCHED = ['section:established', 'section:standing', 'section:member-joined'] as const

/** Resolves once `check` holds for the vault's section status, re-checked on every section event. */
async function reaches (vault: Vault, check: (standing: SectionStanding, generation: number) => boolean): Promise<SectionStanding> {
  const section = vault.section
  assert.ok(section !== undefined)
  return await new Promise(resolve => {
    const test = (): void => {
      const status = section.status()
      if (!check(status.standing, status.generation)) return
      for (const type of WATCHED) section.removeEventListener(type, test)
      resolve(status.standing)
    }
    for (const type of WATCHED) section.addEventListener(type, test)
    test()
  })
}

describe('pause, fix and demote live on loopback', { timeout: 240_000 }, () => {
  let root = ''
  const vaults: Vault[] = []
  let adult: Vault | undefined

  const start = async (identity: VaultIdentity, label: string, bootstrap: string[]): Promise<Vault> => {
    const vault = await createVault({ dataDir: join(root, label), identity, localNetwork: true, bootstrap, section: SECTION, standing: STANDING })
    await vault.start()
    vaults.push(vault)
    return vault
  }
  const chunksOf = (vault: Vault): string => join(vault.store.dir, CHUNKS_DIR)
  const unplug = async (vault: Vault): Promise<void> => { await rename(chunksOf(vault), `${chunksOf(vault)}.unplugged`) }
  const plugBack = async (vault: Vault): Promise<void> => { await rename(`${chunksOf(vault)}.unplugged`, chunksOf(vault)) }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'pause-and-fix-live-'))
    const founders = await identitiesOfAges(Array.from({ length: FOUNDERS }, (_, i) => foundingAge(i)))
    const [first, ...rest] = founders
    assert.ok(first !== undefined)
    const bootstrap = await start(first, 'founder-0', [])
    await Promise.all(rest.map(async (identity, i) => await start(identity, `founder-${i + 1}`, bootstrap.multiaddrs())))
    adult = [...vaults].sort((a, b) => a.age - b.age)[0]
    assert.ok(adult !== undefined)
    await Promise.all(vaults.map(async vault => await reaches(vault, (_, generation) => vault.section?.status().phase === 'active' && generation >= 0)))
  })

  after(async () => {
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('pauses the adult whose chunk folder is gone, with the audits\' reasons; its self-check names the fix', async () => {
    const vault = adult
    assert.ok(vault?.standing !== undefined)
    // The elders' first rounds place their audit chunks and pass: wait for one on this vault's disk.
    await new Promise<void>(resolve => {
      vault.standing?.audits.addEventListener('audit:answered', () => { resolve() }, { once: true })
    })
    await unplug(vault)
    const paused = await reaches(vault, standing => standing.state === 'paused')
    assert.match(paused.pause?.reasons.join('; ') ?? '', /missed-audit x\d+/)
    assert.equal(paused.pause?.deadline, (paused.pause?.pausedAt ?? 0) + GRACE_CHURNS)
    // What the dashboard's "Run self-check" does; a paused vault also runs it on its own.
    const selfCheck = await vault.standing.runSelfCheck()
    assert.equal(selfCheck.passed, false)
    assert.deepEqual(vault.status().section?.standing.selfCheck, selfCheck)
    const folder = selfCheck.checks.find(check => check.name === 'chunk-folder')
    assert.match(folder?.fix ?? '', /reconnect the drive that holds it, then press Reconnect/)
    await assert.rejects(vault.standing.reconnect(), { name: 'SelfCheckFailedError', message: /reconnect the drive/ })
  })

  it('resumes it with its name and age once the folder is back, Reconnect asks and the probation audits pass', async () => {
    const vault = adult
    assert.ok(vault?.standing !== undefined)
    const name = vault.peerId.toString()
    const age = vault.age
    await plugBack(vault)
    const check = await vault.standing.reconnect()
    assert.equal(check.passed, true)
    await reaches(vault, standing => standing.state === 'active')
    assert.equal(vault.peerId.toString(), name)
    assert.equal(vault.age, age)
    assert.equal(vault.status().section?.isMember, true)
  })

  it('demotes it when the grace runs out while it stays unplugged: removed, to rejoin at half its age', async () => {
    const vault = adult
    assert.ok(vault !== undefined)
    const demoted = new Promise<number>(resolve => {
      vault.addEventListener('vault:demoted', event => { resolve(event.detail.rejoinAge) }, { once: true })
    })
    await unplug(vault)
    const paused = await reaches(vault, standing => standing.state === 'paused')
    const bootstrap = vaults[0]?.multiaddrs() ?? []
    for (const [i, identity] of (await identitiesOfAges([5, 5])).entries()) {
      await start(identity, `joiner-${i}`, bootstrap)
    }
    assert.equal(await demoted, Math.max(5, Math.floor(vault.age / 2)))
    const standing = await reaches(vault, s => s.state === 'demoted')
    assert.equal(standing.rejoinAge, Math.max(5, Math.floor(vault.age / 2)))
    assert.ok((vault.status().section?.generation ?? 0) >= (paused.pause?.deadline ?? Infinity))
    const elder = vaults.find(other => other.status().section?.isElder === true)
    assert.equal(elder?.section?.node.membership?.isMember(vault.section?.node.self ?? ''), false)
  })
})
