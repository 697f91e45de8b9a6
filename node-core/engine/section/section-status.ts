// The section as the engine reports it (contract/host-api.ts SectionStatus): vaults by PeerId,
// which is how the dashboard and the CLI name vaults everywhere else.
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { MAX_STATUS_MEMBERS, type SectionStanding, type SectionStatus } from '../../../contract/host-api.ts'
import { ageOfHexName, byRank, nameToBytes } from './known-vaults.ts'

export type SectionPhase = SectionStatus['phase']

/** A vault name (hex of its ed25519 key) as its PeerId string. */
export function peerIdOfName (hex: string): string {
  return peerIdFromPublicKey(publicKeyFromRaw(nameToBytes(hex))).toString()
}

export function sectionVault (hex: string): { name: string, age: number } {
  return { name: peerIdOfName(hex), age: ageOfHexName(hex) }
}

export function buildSectionStatus (input: {
  phase: SectionPhase
  prefix: string
  sectionKey: string | null
  elders: readonly string[]
  members: Iterable<string>
  self: string
  generation: number
  isMember: boolean
  joinsAllowed: boolean | undefined
  standing: SectionStanding
}): SectionStatus {
  const members = byRank(input.members)
  return {
    phase: input.phase,
    prefix: input.prefix,
    sectionKey: input.sectionKey,
    elders: input.elders.map(sectionVault),
    members: members.slice(0, MAX_STATUS_MEMBERS).map(sectionVault),
    memberCount: members.length,
    isElder: input.elders.includes(input.self),
    isMember: input.isMember,
    generation: input.generation,
    ...(input.joinsAllowed === undefined ? {} : { joinsAllowed: input.joinsAllowed }),
    standing: input.standing
  }
}
