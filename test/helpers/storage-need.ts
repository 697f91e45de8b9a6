// A live section past 11 members admits a new vault only while it needs storage (DESIGN §2
// "Joins"): tests that join more vaults than that have one running adult say it is 90 % full.
import type { Vault } from '../../node-core/engine/vault.ts'
import { FULL_STORAGE_LEVEL } from '../../node-core/section/rules/split.ts'

/** One running adult of the vaults' section reports its store 90 % full: the section admits a join each generation it still is. */
export async function adultReportsFull (vaults: readonly Vault[]): Promise<void> {
  const adult = vaults.find(vault => {
    const section = vault.status().section
    return section !== null && section !== undefined && section.isMember && !section.isElder && section.standing.state === 'active'
  })
  if (adult?.section === undefined) throw new Error('no running adult to report its store full')
  await adult.section.node.reportStorageLevel(FULL_STORAGE_LEVEL)
}
