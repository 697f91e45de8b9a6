// Two vaults on real libp2p over loopback: an auditor places audit chunks on a member and audits
// it; the member's chunk folder goes away (a drive unplugged: renamed, since tests run as root and
// permissions do not stop root), audits fail as missed-audit and the member's self-check fails
// with the farmer's fix; the folder comes back, the self-check passes and, once the member has
// re-read its folder (Reconnect), audits pass again.
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { auditMaterialFile } from '../../../node-core/engine/audit/audit-material.ts'
import { AuditService } from '../../../node-core/engine/audit/audit-service.ts'
import { runSelfCheck, type SelfCheckReport } from '../../../node-core/engine/audit/self-check.ts'
import { CHUNKS_DIR } from '../../../node-core/engine/store/chunk-layout.ts'
import { AUDIT_MATERIAL_FILE, createVault, type Vault } from '../../../node-core/engine/vault.ts'

async function connected (vault: Vault): Promise<void> {
  if (vault.libp2p.getPeers().length > 0) return
  await new Promise<void>(resolve => {
    const onPeers = (event: CustomEvent<number>): void => {
      if (event.detail < 1) return
      vault.removeEventListener('vault:peers', onPeers)
      resolve()
    }
    vault.addEventListener('vault:peers', onPeers)
  })
}

function auditsOf (vault: Vault, persist?: ReturnType<typeof auditMaterialFile>, material?: Awaited<ReturnType<ReturnType<typeof auditMaterialFile>['load']>>): AuditService {
  return new AuditService({
    libp2p: vault.libp2p,
    trust: vault.trust,
    store: vault.store,
    putChunk: async (peer, bytes, options) => await vault.chunks.put(peer, bytes, options),
    ...(persist === undefined ? {} : { persistMaterial: persist.persist }),
    ...(material === undefined ? {} : { material })
  })
}

describe('audits and the self-check between two vaults on loopback', { timeout: 60_000 }, () => {
  let root = ''
  let auditor: Vault
  let member: Vault
  // Each vault's own audit service: the one its section's elders and members use.
  let auditorAudits: AuditService
  let memberAudits: AuditService
  const services: AuditService[] = []
  const auditsIn = (vault: Vault): AuditService => {
    assert.ok(vault.standing !== undefined)
    return vault.standing.audits
  }
  const selfCheck = async (): Promise<SelfCheckReport> => await runSelfCheck({
    store: member.store,
    alwaysCheck: memberAudits.challengedAddresses(),
    listenAddresses: () => member.multiaddrs(),
    connectedPeers: () => member.libp2p.getPeers().length
  })

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'audit-self-check-'))
    auditor = await createVault({ dataDir: join(root, 'auditor'), localNetwork: true })
    await auditor.start()
    member = await createVault({ dataDir: join(root, 'member'), localNetwork: true, bootstrap: auditor.multiaddrs() })
    await member.start()
    await Promise.all([connected(auditor), connected(member)])
    auditorAudits = auditsIn(auditor)
    memberAudits = auditsIn(member)
  })

  after(async () => {
    await Promise.allSettled(services.map(async service => { await service.stop() }))
    await Promise.allSettled([auditor, member].map(async vault => { await vault.stop() }))
    await rm(root, { recursive: true, force: true })
  })

  it('passes, misses while the chunk folder is gone, and passes again once it is back', async () => {
    const { placed, errors } = await auditorAudits.placeMaterial(member.peerId)
    assert.deepEqual(errors, [])
    assert.equal(placed.length, 4)
    for (const address of placed) assert.equal(member.store.has(address), true, `member does not hold audit chunk ${address}`)
    const healthy = await auditorAudits.audit(member.peerId)
    assert.equal(healthy.outcome, 'passed', healthy.reason)
    assert.equal((await selfCheck()).passed, true)

    const chunksDir = join(member.store.dir, CHUNKS_DIR)
    await rename(chunksDir, `${chunksDir}.unplugged`)
    const unplugged = await auditorAudits.audit(member.peerId)
    assert.equal(unplugged.outcome, 'missing', unplugged.reason)
    assert.equal(unplugged.kind, 'missed-audit')
    const failed = await selfCheck()
    assert.equal(failed.passed, false)
    const folder = failed.checks.find(check => check.name === 'chunk-folder')
    assert.ok(folder !== undefined && !folder.passed)
    assert.equal(folder.fix, `The folder ${chunksDir} is missing: reconnect the drive that holds it, then press Reconnect.`)

    await rename(`${chunksDir}.unplugged`, chunksDir)
    const fixed = await selfCheck()
    assert.equal(fixed.passed, true, JSON.stringify(fixed.checks.filter(check => !check.passed)))
    // Reconnect: the store forgot the chunks it could not read while the folder was gone, so it
    // re-reads its folder before the vault asks to resume.
    await member.store.reindex()
    for (let i = 0; i < 8; i++) {
      const result = await auditorAudits.audit(member.peerId)
      assert.equal(result.outcome, 'passed', result.reason)
    }
  })

  it('an auditor restarted from its material file audits the same chunks', async () => {
    const file = auditMaterialFile(join(root, 'auditor', AUDIT_MATERIAL_FILE))
    const material = await file.load()
    assert.ok(material !== undefined)
    await auditorAudits.stop()
    const restarted = auditsOf(auditor, file, material)
    services.push(restarted)
    await restarted.start()
    assert.deepEqual(restarted.materialOf(member.peerId), auditorAudits.materialOf(member.peerId))
    assert.equal((await restarted.audit(member.peerId)).outcome, 'passed')
  })
})
