// A vault leaving for good, live over libp2p on loopback (issue 3 deliver 2): nine vaults form a
// section; the older adult asks to leave, the elders decide its Leave by a verified decision and
// every vault removes it. It takes its next name at half its age, as the local network's churn does,
// and starts again from its data dir: the elders check the proof its old key signed and admit it
// at that age.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeIdentity, type VaultIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import { takeNextName } from '../../../node-core/engine/identity/relocated-identity.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { identitiesOfAges } from '../../helpers/names.ts'

// Elders of ages 20 to 14; adults of 12 and 10.
const AGES = [20, 19, 18, 17, 16, 15, 14, 12, 10]
const SECTION = { formingSettleMs: 2000, proposalTimeoutMs: 2000, dkgRoundTimeoutMs: 10_000, joinRetryMs: 2000 }

/** Resolves once `check` holds for the vault's section, re-checked on each of its decisions. */
async function reaches (vault: Vault, check: () => boolean): Promise<void> {
  const section = vault.section
  assert.ok(section !== undefined)
  await new Promise<void>(resolve => {
    const test = (): void => {
      if (!check()) return
      section.removeEventListener('section:generation', test)
      section.removeEventListener('section:established', test)
      resolve()
    }
    section.addEventListener('section:generation', test)
    section.addEventListener('section:established', test)
    test()
  })
}

describe('a vault leaving live on loopback', { timeout: 180_000 }, () => {
  let root = ''
  const vaults: Vault[] = []

  const start = async (dataDir: string, bootstrap: string[], identity?: VaultIdentity): Promise<Vault> => {
    const vault = await createVault({ dataDir, ...(identity === undefined ? {} : { identity }), localNetwork: true, bootstrap, section: SECTION })
    await vault.start()
    vaults.push(vault)
    return vault
  }
  const isMember = (vault: Vault, name: string): boolean => vault.section?.node.membership?.isMember(name) === true

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'leave-live-'))
    const identities = await identitiesOfAges(AGES)
    const [first, ...rest] = identities
    assert.ok(first !== undefined)
    const bootstrap = await start(join(root, 'vault-0'), [], first)
    await Promise.all(rest.map(async (identity, i) => {
      const dir = join(root, `vault-${i + 1}`)
      // On disk, as the local network keeps its vaults: the vault's next name is signed by this key.
      await writeIdentity(dir, identity)
      await start(dir, bootstrap.multiaddrs())
    }))
    await Promise.all(vaults.map(async vault => { await reaches(vault, () => vault.section?.status().memberCount === AGES.length) }))
  })

  after(async () => {
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('removes the adult that asks to leave by a verified Leave decision, and tells it to rejoin at half its age', async () => {
    const leaver = vaults.find(vault => vault.age === 12)
    assert.ok(leaver !== undefined)
    const name = leaver.section?.node.self ?? ''
    const generation = leaver.section?.node.generation ?? -1
    const { rejoinAge } = await leaver.leave({ signal: AbortSignal.timeout(60_000) })
    assert.equal(rejoinAge, 6)
    assert.equal(leaver.section?.status().isMember, false)
    const others = vaults.filter(vault => vault !== leaver)
    await Promise.all(others.map(async vault => { await reaches(vault, () => !isMember(vault, name)) }))
    for (const vault of others) assert.equal(vault.section?.node.generation, generation + 1)
    await assert.rejects(leaver.leave(), { name: 'NotAMemberError' })
  })

  it('admits it again under its next name at that age, by the proof its old key signed', async () => {
    const leaver = vaults.find(vault => vault.age === 12)
    assert.ok(leaver !== undefined)
    const oldName = leaver.section?.node.self ?? ''
    const dir = join(root, `vault-${AGES.indexOf(12)}`)
    await leaver.stop()
    vaults.splice(vaults.indexOf(leaver), 1)
    const identity = await takeNextName(dir, { leftAt: 6 })
    const elder = vaults[0]
    assert.ok(elder !== undefined)
    const admitted = new Promise<Record<string, unknown>>(resolve => {
      elder.section?.addEventListener('section:member-joined', event => { resolve(event.detail.decision.proposal.payload) }, { once: true })
    })
    const rejoined = await start(dir, elder.multiaddrs())
    assert.equal(rejoined.age, 6)
    await reaches(rejoined, () => rejoined.section?.status().isMember === true)
    assert.deepEqual(await admitted, { age: 6, demotedFrom: oldName })
    assert.deepEqual(rejoined.status().ageHistory.map(entry => [entry.age, entry.reason]), [[12, 'earlier'], [6, 'left']])
    assert.equal(Buffer.from(identity.name).toString('hex'), rejoined.section?.node.self)
  })
})
