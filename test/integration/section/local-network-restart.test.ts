// The local network started again over the vaults of an earlier run (issue 3, deliver 8): its
// section is not kept, so it forms anew, and its vaults have the ages they had, older than a new
// vault's 5, with no proof a new section would check. They are the section's expected founders:
// each one is a member at the age on its disk, none refused as a late joiner of the wrong age.
// Started one per batch with a short settle, the later ones would otherwise come after the first
// ones had keyed the section. The vaults the earlier run's churn added past the founders start too.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { grindKeys } from '../../../node-core/engine/identity/grind.ts'
import { identityFromSeed, writeIdentity } from '../../../node-core/engine/identity/identity-file.ts'
import { nameToHex } from '../../../node-core/engine/section/known-vaults.ts'
import type { Vault } from '../../../node-core/engine/vault.ts'
import { LocalNetwork } from '../../../node-core/localnet/local-network.ts'

/** The ages an earlier run left on disk: none of them a new vault's. */
const EARLIER_AGES = [16, 15, 14, 13, 12, 11, 10, 9]
/** Vaults the earlier run's churn added past its 8 founders, by dir index (one dir in between was left empty), with the ages they reached. */
const EARLIER_JOINERS = [{ index: 8, age: 7 }, { index: 10, age: 6 }]
const SECTION_EVENTS = ['section:phase', 'section:established', 'section:member-joined'] as const

/** Resolves once `vault` counts every one of `names` as a member, re-checked on every section event. */
async function membersInclude (vault: Vault, names: readonly string[]): Promise<void> {
  const section = vault.section
  assert.ok(section !== undefined)
  await new Promise<void>(resolve => {
    const check = (): void => {
      const membership = section.node.membership
      if (membership === undefined || names.some(name => !membership.isMember(name))) return
      for (const type of SECTION_EVENTS) section.removeEventListener(type, check)
      resolve()
    }
    for (const type of SECTION_EVENTS) section.addEventListener(type, check)
    check()
  })
}

describe('the local network started over an earlier run\'s vaults', () => {
  let dir: string
  let network: LocalNetwork
  const names: string[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'localnet-restart-'))
    for (const { index, age } of [...EARLIER_AGES.map((age, index) => ({ index, age })), ...EARLIER_JOINERS]) {
      const key = (await grindKeys(1, { prefix: '', age })).keys[0]
      assert.ok(key !== undefined)
      const identity = identityFromSeed(key.seed)
      await writeIdentity(join(dir, `vault-${String(index).padStart(3, '0')}`), identity)
      names.push(nameToHex(identity.name))
    }
  })

  after(async () => {
    await network?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('starts the vaults its churn added too, and makes every one of them a member at the age on its disk', { timeout: 120_000 }, async () => {
    network = new LocalNetwork({ nodes: EARLIER_AGES.length, dataDir: dir, batchSize: 1, clientRate: 0, section: { formingSettleMs: 300 } })
    await network.start()
    assert.deepEqual(network.vaults.map(vault => vault.section?.node.self), names, 'each vault runs under the name the earlier run left')
    await Promise.all(network.vaults.map(async vault => { await membersInclude(vault, names) }))
    const membership = network.vaults[0]?.section?.node.membership
    assert.deepEqual(membership?.elders.toSorted(), names.slice(0, 7).toSorted(), 'the 7 oldest are the elders')
  })
})
