import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { AuditMaterial, auditMaterialFile, randomIndex, type AuditChunk } from '../../../../node-core/engine/audit/audit-material.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'

const member = (i: number): string => i.toString(16).padStart(64, '0')
const chunk = (label: string): AuditChunk => {
  const bytes = new TextEncoder().encode(label)
  return { address: chunkAddress(bytes), bytes }
}

describe('audit material', () => {
  it('keeps at most its share per member, without duplicates', () => {
    const material = new AuditMaterial({ maxMembers: 4, chunksPerMember: 2 })
    assert.equal(material.wanted(member(1)), 2)
    material.add(member(1), [chunk('a'), chunk('a'), chunk('b'), chunk('c')])
    assert.deepEqual(material.chunksOf(member(1)).map(c => c.address), [chunk('a').address, chunk('b').address])
    assert.equal(material.wanted(member(1)), 0)
  })

  it('evicts the member placed on or audited longest ago when full', () => {
    const material = new AuditMaterial({ maxMembers: 2, chunksPerMember: 1 })
    material.add(member(1), [chunk('1')])
    material.add(member(2), [chunk('2')])
    assert.ok(material.pick(member(1), seededRandom('pick')) !== undefined)
    assert.equal(material.add(member(3), [chunk('3')]), member(2))
    assert.equal(material.members, 2)
    assert.deepEqual(material.chunksOf(member(2)), [])
  })

  it('refuses chunks whose bytes do not hash to their address, and names that are not vault names', () => {
    const material = new AuditMaterial({ maxMembers: 2, chunksPerMember: 2 })
    assert.throws(() => material.add(member(1), [{ address: chunk('a').address, bytes: new Uint8Array(1) }]), { name: 'InvalidAuditMaterialError' })
    assert.throws(() => material.add('not a name', [chunk('a')]), RangeError)
    assert.throws(() => new AuditMaterial({ maxMembers: 0, chunksPerMember: 1 }), RangeError)
  })

  it('picks each chunk of a member, at random', () => {
    const material = new AuditMaterial({ maxMembers: 1, chunksPerMember: 4 })
    const chunks = ['a', 'b', 'c', 'd'].map(chunk)
    material.add(member(1), chunks)
    const random = seededRandom('picks')
    const counts = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const picked = material.pick(member(1), random)
      assert.ok(picked !== undefined)
      counts.set(picked.address, (counts.get(picked.address) ?? 0) + 1)
    }
    // 400 draws of 4: each expected 100, sd ~8.7; 60..140 is beyond 4.5 sd.
    for (const c of chunks) assert.ok((counts.get(c.address) ?? 0) > 60 && (counts.get(c.address) ?? 0) < 140, `${c.address}: ${counts.get(c.address)}`)
    assert.equal(material.pick(member(2), random), undefined)
  })

  it('draws indices without modulo bias, rejecting values past the last whole multiple', () => {
    // 2^32 mod 3 = 1: the value 2^32 - 1 lies past the last multiple of 3 and must be drawn again.
    const draws = [Uint8Array.of(0xff, 0xff, 0xff, 0xff), Uint8Array.of(0, 0, 0, 5)]
    assert.equal(randomIndex(() => draws.shift() ?? new Uint8Array(4), 3), 2)
    assert.equal(draws.length, 0)
    assert.throws(() => randomIndex(seededRandom('x'), 0), RangeError)
  })

  it('round-trips through its snapshot and a file, and refuses a file that was tampered with', async () => {
    const material = new AuditMaterial({ maxMembers: 4, chunksPerMember: 2 })
    material.add(member(1), [chunk('a'), chunk('b')])
    material.add(member(2), [chunk('c')])
    const dir = await mkdtemp(join(tmpdir(), 'audit-material-'))
    try {
      const file = auditMaterialFile(join(dir, 'audit-material.json'))
      assert.equal(await file.load(), undefined)
      await file.persist(material.snapshot())
      const loaded = await file.load()
      assert.ok(loaded !== undefined)
      const restored = new AuditMaterial({ maxMembers: 4, chunksPerMember: 2, snapshot: loaded })
      assert.deepEqual(restored.snapshot(), material.snapshot())
      assert.deepEqual(restored.chunksOf(member(1)).map(c => c.bytes), [chunk('a').bytes, chunk('b').bytes])
      // A restart with a smaller bound keeps the most recent members.
      assert.equal(new AuditMaterial({ maxMembers: 1, chunksPerMember: 2, snapshot: loaded }).chunksOf(member(2)).length, 1)
      const tampered = structuredClone(loaded)
      const first = tampered.members[0]?.chunks[0]
      assert.ok(first !== undefined)
      first.data = Buffer.from('other bytes').toString('base64')
      await writeFile(join(dir, 'audit-material.json'), JSON.stringify(tampered))
      await assert.rejects(file.load(), { name: 'InvalidAuditMaterialError', message: /does not hash to its address/ })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
