// Earnings live over libp2p on loopback (issue 3 deliver 5, DESIGN §2 "Earnings"): ten vaults
// form a section (elders of ages 20 to 14, adults of ages 8, 6 and 5), the elders audit the
// adults, and the local network's client stores chunks and pays their store cost to the elders it
// learned from a holder. When the reward epoch ends the elders sign its record: the adults of age
// 8 and 6 earn, in proportion to 2^age, each record verified against the section chain before it
// is kept; the age-5 vault earns nothing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { NO_EARNINGS, type EarningsStatus } from '../../../contract/host-api.ts'
import type { VaultIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import { createVaultLibp2p, type VaultLibp2p } from '../../../node-core/engine/network/libp2p-node.ts'
import { REWARD_RECORDS_FILE, RewardRecordsFileSchema } from '../../../node-core/engine/earnings/earnings-book.ts'
import { STORE_COST_PER_CHUNK } from '../../../node-core/engine/section/constants.ts'
import { createVault, type Vault } from '../../../node-core/engine/vault.ts'
import { ClientSimulator } from '../../../node-core/localnet/client-simulator.ts'
import { earningsOf } from '../../../node-core/section/economy/reward-record.ts'
import { identitiesOfAges } from '../../helpers/names.ts'

const AGES = [20, 19, 18, 17, 16, 15, 14, 8, 6, 5]
const CHUNKS = 4
const SECTION = { formingSettleMs: 2000, proposalTimeoutMs: 2000, dkgRoundTimeoutMs: 10_000, joinRetryMs: 2000, rewardEpochMs: 3000 }
// The audit service's default timeout: a shorter one fails audits of a loaded machine's adults, which then earn nothing that epoch.
const STANDING = { auditIntervalMs: 300 }

function earned (vault: Vault): EarningsStatus {
  return vault.status().earnings ?? NO_EARNINGS
}

/** Resolves once `check` holds, re-checked on each activity line of any of `vaults`. */
async function until (vaults: readonly Vault[], check: () => boolean): Promise<void> {
  await new Promise<void>(resolve => {
    const test = (): void => {
      if (!check()) return
      for (const vault of vaults) vault.removeEventListener('vault:activity', test)
      resolve()
    }
    for (const vault of vaults) vault.addEventListener('vault:activity', test)
    test()
  })
}

describe('earnings live on loopback', { timeout: 120_000 }, () => {
  let root = ''
  const vaults: Vault[] = []
  let clientNode: VaultLibp2p | undefined
  const byAge = (age: number): Vault => {
    const vault = vaults.find(v => v.age === age)
    assert.ok(vault !== undefined)
    return vault
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'earnings-live-'))
    const [first, ...rest] = await identitiesOfAges(AGES)
    assert.ok(first !== undefined)
    const start = async (identity: VaultIdentity, label: string, bootstrap: string[]): Promise<Vault> => {
      const vault = await createVault({ dataDir: join(root, label), identity, localNetwork: true, bootstrap, section: SECTION, standing: STANDING })
      await vault.start()
      vaults.push(vault)
      return vault
    }
    const bootstrap = await start(first, 'vault-0', [])
    await Promise.all(rest.map(async (identity, i) => await start(identity, `vault-${i + 1}`, bootstrap.multiaddrs())))
    await Promise.all(vaults.map(async vault => { await until([vault], () => vault.status().section?.isMember === true) }))
  })

  after(async () => {
    await clientNode?.stop()
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('pays the adults of age >= 6 that hold data from the store costs the client paid, by verified records; the age-5 vault earns nothing', async () => {
    const node = await createVaultLibp2p({ privateKey: await generateKeyPair('Ed25519'), listen: [], localNetwork: true })
    clientNode = node
    await node.start()
    for (const vault of vaults) await node.peerStore.merge(vault.peerId, { multiaddrs: vault.libp2p.getMultiaddrs() })
    const client = new ClientSimulator(node, { rate: 0, chunkBytes: 1024, copies: 4 })
    for (let i = 0; i < CHUNKS; i++) await client.tick()
    assert.equal(client.stats.stored, CHUNKS)
    assert.equal(client.stats.paid, CHUNKS * STORE_COST_PER_CHUNK, 'the client paid the elders it learned from a holder')

    const earners = [byAge(8), byAge(6)]
    // Every unit paid in is paid out to them in the end, in one record or more, and kept on their disks; no record
    // pays out what did not come in, so no more come.
    const paidIn = BigInt(CHUNKS * STORE_COST_PER_CHUNK)
    await until(earners, () => earners.reduce((sum, vault) => sum + BigInt(earned(vault).total), 0n) === paidIn)
    for (const vault of earners) {
      const earnings = earned(vault)
      const section = vault.section?.node
      assert.ok(section?.membership !== undefined)
      // The kept records, checked again from disk by anyone's rule: the sum of verified records naming the vault.
      const file = RewardRecordsFileSchema.parse(JSON.parse(await readFile(join(root, `vault-${AGES.indexOf(vault.age)}`, REWARD_RECORDS_FILE), 'utf8')))
      const checked = earningsOf(section.self, file.records.map(kept => kept.record), section.membership.chain)
      assert.deepEqual(checked.rejected, [])
      assert.equal(checked.total.toString(), earnings.total)
      assert.ok(BigInt(earnings.total) > 0n)
      for (const record of earnings.records) assert.ok(record.amount > 0 && record.amount <= record.pool)
    }
    // In a record naming both, the age-8 vault earns 4 times the age-6 vault's share (2^8 : 2^6, give or take the remainder unit).
    const [eight, six] = earners.map(vault => earned(vault).records)
    for (const record of eight ?? []) {
      const other = six?.find(r => r.epoch === record.epoch)
      if (other !== undefined) assert.ok(Math.abs(record.amount - 4 * other.amount) <= 4, `epoch ${record.epoch}: ${record.amount} vs ${other.amount}`)
    }
    const newcomer = byAge(5)
    assert.deepEqual(earned(newcomer), { total: '0', records: [] })
    for (const elder of vaults.filter(v => v.age >= 14)) assert.equal(earned(elder).total, '0', 'elders are not adults: they earn nothing')
  })
})
