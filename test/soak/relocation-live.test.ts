// Opt-in soak (`npm run test:soak`): relocation end to end on loopback, as a farmer's vault lives
// it. 16 founders of ages 5 to 20, then vaults of age 5 join one at a time until a decision's churn
// ID relocates someone (about 1 churn in 32 moves the age-5 class once the section has 15 members).
// The moved vault grinds a name of age + 1, signs its move with its old key, rejoins with the proof,
// and the elders admit it at its new age. Not in `npm test`: how many joins it takes is chance.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { relocateIdentity } from '../../node-core/engine/identity/relocated-identity.ts'
import type { VaultIdentity } from '../../node-core/engine/identity/identity-file.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { foundingAge } from '../../node-core/localnet/local-network.ts'
import { identitiesOfAges } from '../helpers/names.ts'

const SECTION = { formingSettleMs: 1500, proposalTimeoutMs: 2000, dkgRoundTimeoutMs: 10_000, joinRetryMs: 1000 }
/** No audits: the vaults here never fail one, and the test counts only joins and relocations as churn. */
const STANDING = { auditIntervalMs: 3_600_000 }
/** (31/32)^300: a run this long without a relocation is far below a one-in-a-million chance. */
const MAX_JOINS = 300

/** Names as the status shows them: PeerIds. */
interface Moved { oldName: string, oldAge: number, newName: string, newAge: number }

describe('relocation live on loopback (soak)', { timeout: 1_800_000 }, () => {
  const vaults: Vault[] = []
  let root = ''

  after(async () => {
    await Promise.allSettled(vaults.map(async vault => { await vault.stop() }))
    if (root !== '') await rm(root, { recursive: true, force: true })
  })

  it('moves a vault by a churn: it rejoins under a name of age + 1 with its proof, and the section admits it at that age', async () => {
    root = await mkdtemp(join(tmpdir(), 'relocation-soak-'))
    let admitted: (moved: Moved) => void = () => {}
    const firstAdmission = new Promise<Moved>(resolve => { admitted = resolve })

    const launch = async (dir: string, bootstrap: string[], identity?: VaultIdentity): Promise<Vault> => {
      const vault = await createVault({ dataDir: dir, ...(identity === undefined ? {} : { identity }), localNetwork: true, bootstrap, section: SECTION, standing: STANDING })
      // As engine-main and the local network do: a relocated vault rejoins under its new name.
      vault.addEventListener('vault:relocated', event => {
        const oldName = vault.peerId.toString()
        void (async () => {
          await vault.stop()
          await relocateIdentity(dir, event.detail)
          const moved = await launch(dir, bootstrap)
          const self = moved.section?.node.self
          moved.section?.addEventListener('section:member-joined', joined => {
            if (joined.detail.name === self) admitted({ oldName, oldAge: vault.age, newName: moved.peerId.toString(), newAge: moved.age })
          })
        })()
      })
      await vault.start()
      vaults.push(vault)
      return vault
    }

    const identities = await identitiesOfAges(Array.from({ length: 16 }, (_, i) => foundingAge(i)))
    const [firstIdentity, ...rest] = identities
    assert.ok(firstIdentity !== undefined)
    const first = await launch(join(root, 'founder-0'), [], firstIdentity)
    await Promise.all(rest.map(async (identity, i) => await launch(join(root, `founder-${i + 1}`), first.multiaddrs(), identity)))
    const generation = (): number => first.status().section?.generation ?? -1
    const joined = async (before: number): Promise<void> => {
      await new Promise<void>(resolve => {
        const check = (): void => {
          if (generation() === before) return
          first.section?.removeEventListener('section:member-joined', check)
          resolve()
        }
        first.section?.addEventListener('section:member-joined', check)
        check()
      })
    }

    let moved: Moved | undefined
    void firstAdmission.then(value => { moved = value })
    for (let i = 0; i < MAX_JOINS && moved === undefined; i++) {
      const before = generation()
      await launch(join(root, `joiner-${i}`), first.multiaddrs())
      await Promise.race([joined(before), firstAdmission])
    }
    const result = moved ?? await Promise.race([firstAdmission, new Promise<undefined>(resolve => { setTimeout(() => { resolve(undefined) }, 120_000).unref() })])
    assert.ok(result !== undefined, `no relocation admitted after ${MAX_JOINS} joins`)
    assert.equal(result.newAge, result.oldAge + 1)
    const section = first.status().section
    assert.ok(section !== null && section !== undefined)
    const names = new Set(section.members.map(member => member.name))
    assert.ok(names.has(result.newName), 'the section counts the new name')
    assert.ok(!names.has(result.oldName), 'and no longer the old one')
  })
})
