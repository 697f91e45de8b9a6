// A demoted vault's next name (issue 3 deliver 3): ground at its rejoin age, the old identity kept
// aside, and the proof its old key signed kept in the data dir until the vault is admitted.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeDemotionProof, verifyDemotionProof } from '../../../../node-core/section/rules/demotion-proof.ts'
import { identityFromSeed, readIdentity, writeIdentity } from '../../../../node-core/engine/identity/identity-file.ts'
import { DEMOTION_PROOF_FILE, loadDemotionProof, loadRelocationProof, takeNextName } from '../../../../node-core/engine/identity/relocated-identity.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('a demoted vault\'s next name', () => {
  let dataDir: string
  before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'vault-demoted-')) })
  after(async () => { await rm(dataDir, { recursive: true, force: true }) })

  it('grinds it at the rejoin age, keeps the old identity aside and stores the proof its old key signed', async () => {
    const old = identityFromSeed(Uint8Array.from({ length: 32 }, (_, i) => i + 1))
    await writeIdentity(dataDir, old)
    const identity = await takeNextName(dataDir, { demotedTo: 6 })
    assert.equal(identity.age, 6)
    assert.deepEqual(await readIdentity(dataDir), identity)
    assert.ok((await readdir(dataDir)).includes(`identity.demoted-${hex(old.name).slice(0, 16)}.json`))

    const proof = await loadDemotionProof(dataDir, identity)
    assert.ok(proof !== undefined)
    assert.deepEqual([proof.oldName, proof.newName, proof.newAge], [hex(old.name), hex(identity.name), 6])
    verifyDemotionProof(decodeDemotionProof(proof), { rejoinAge: 6 })
    assert.throws(() => { verifyDemotionProof(decodeDemotionProof(proof), { rejoinAge: 7 }) }, { name: 'DemotionAgeError' })
    assert.equal(await loadRelocationProof(dataDir, identity), undefined, 'a demoted vault shows no relocation proof')
    assert.equal(await loadDemotionProof(dataDir, old), undefined, 'the proof admits only the name it signed')
  })

  it('reports an unreadable proof file as its own error', async () => {
    const identity = await readIdentity(dataDir)
    assert.ok(identity !== undefined)
    await writeFile(join(dataDir, DEMOTION_PROOF_FILE), '{"version":1,"proof":{"oldName":"zz"}}')
    await assert.rejects(loadDemotionProof(dataDir, identity), { name: 'DemotionProofFileError', message: /rejoins without its demotion proof/ })
  })
})
