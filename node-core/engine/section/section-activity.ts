// What the section does, as activity lines for the host's recent events (and a status push).
import { ageOfHexName } from './known-vaults.ts'
import type { SectionService } from './section-service.ts'
import { peerIdOfName } from './section-status.ts'

function short (peerId: string): string {
  return `…${peerId.slice(-8)}`
}

export function forwardSectionActivity (section: SectionService, activity: (kind: string, message: string) => void): void {
  section.addEventListener('section:phase', event => {
    if (event.detail === 'keying') activity('section:keying', 'this vault is among the 7 oldest known: running the distributed key generation with the other elders')
  })
  section.addEventListener('section:keying', event => {
    if (event.detail.outcome === 'failed') activity('section:keying-failed', `the elders' key generation (attempt ${event.detail.attempt}) failed: ${event.detail.reason ?? 'no reason given'}; trying again`)
  })
  section.addEventListener('section:established', event => {
    const { sectionKey, elders, isElder, hasKeyShare } = event.detail
    const role = !isElder ? 'a member of it once the elders admit it' : hasKeyShare ? 'one of its elders' : 'one of its elders, without a key share (it missed the key generation): it asks the others to key again'
    activity('section:established', `section formed: key ${sectionKey.slice(0, 16)}…, ${elders.length} elders; this vault is ${role}`)
  })
  section.addEventListener('section:handover', event => {
    const { sectionKey, elders, isElder, hasKeyShare, generation } = event.detail
    const role = !isElder ? 'not one of them' : hasKeyShare ? 'one of them, voting with its share' : 'one of them, without a share (it missed their key generation)'
    activity('section:handover', `the section handed over to its ${elders.length} oldest active members (generation ${generation}): new key ${sectionKey.slice(0, 16)}…, signed into the chain by the old one; this vault is ${role}`)
  })
  section.addEventListener('section:rekey', event => {
    const { name, generation, self } = event.detail
    const whom = self ? 'this vault' : `elder ${short(peerIdOfName(name))}`
    activity('section:rekey', `the elders decided to key again (generation ${generation}): ${whom} held no share of the section key; the same elders run a new key generation, and the old key signs the new one`)
  })
  section.addEventListener('section:member-joined', event => {
    const { name, generation } = event.detail
    activity('section:member-joined', `vault ${short(peerIdOfName(name))} of age ${ageOfHexName(name)} joined the section by a verified decision (generation ${generation})`)
  })
  section.addEventListener('section:era', event => {
    const { active, generation } = event.detail
    const when = active.effectiveFromEpoch <= generation ? 'in effect now' : `in effect from generation ${active.effectiveFromEpoch} (now ${generation})`
    activity('section:era', `the elders activated era ${active.era} by a verified decision: ${when}`)
  })
  section.addEventListener('section:standing', event => {
    const { name, kind, generation, self } = event.detail
    const whom = self ? 'this vault' : `vault ${short(peerIdOfName(name))}`
    const what = { pause: `paused ${whom}`, resume: `resumed ${whom}, its age kept`, demote: `demoted ${whom}` }[kind]
    activity(`section:${kind}`, `the elders ${what} by a verified decision (generation ${generation})`)
  })
  section.addEventListener('section:relocated', event => {
    const { name, oldAge, newAge, self } = event.detail
    const whom = self ? 'this vault' : `vault ${short(peerIdOfName(name))}`
    activity('section:relocated', `the churn relocated ${whom} (age ${oldAge}): it rejoins under a new name of age ${newAge}`)
  })
  section.addEventListener('section:left', event => {
    const { name, generation, rejoinAge, self } = event.detail
    const whom = self ? 'this vault' : `vault ${short(peerIdOfName(name))}`
    activity('section:left', `${whom} left the section by a verified Leave decision (generation ${generation}); it may rejoin under a new name of age ${rejoinAge}`)
  })
  section.addEventListener('section:rejected', event => {
    const { from, type, reason } = event.detail
    activity('section:rejected', `refused a section ${type} from ${short(peerIdOfName(from))}: ${reason.slice(0, 300)}`)
  })
  section.addEventListener('section:failure', event => {
    activity('section:failure', event.detail.reason.slice(0, 300))
  })
}
