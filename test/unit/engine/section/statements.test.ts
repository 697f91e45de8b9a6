// Elders' statements about their section: signed with each elder's vault key, believed at a
// supermajority of the elders they name.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { releaseKeyFromSeed, type ReleaseKey } from '../../../../node-core/release/keys.ts'
import {
  checkSignedStatement, membersDigest, signStatement, statementId, StatementQuorum, type SectionStatement
} from '../../../../node-core/engine/section/statements.ts'
import { dealSharesAsTrustedDealer, groupPublicKey, publicKeyToHex } from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from '../../section/crypto/seeded-random.ts'
import { forgedJoinDecision } from './section-fakes.ts'

const keys = Array.from({ length: 8 }, (_, i) => releaseKeyFromSeed(new Uint8Array(32).fill(i + 1), `vault ${i}`))
const elders = keys.slice(0, 7).map(key => key.public)

function key (i: number): ReleaseKey {
  const found = keys[i]
  assert.ok(found !== undefined)
  return found
}
const sectionKey = publicKeyToHex(groupPublicKey(dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom('statements') }).publicKeySet))

function genesis (overrides: Partial<SectionStatement> = {}): SectionStatement {
  return { prefix: '', chain: { genesisKey: sectionKey, links: [] }, elders, generation: 0, membersDigest: membersDigest(elders), lastDecision: null, eraDecision: null, pauseDecisions: [], joinsOn: true, ...overrides }
}

describe('section statements', () => {
  it('are signed by an elder they name and check; a tampered statement or an outsider\'s signature does not', () => {
    const signed = signStatement(genesis(), key(0))
    const checked = checkSignedStatement(signed)
    assert.ok(checked.ok)
    assert.equal(checked.id, statementId(genesis()))
    const tampered = checkSignedStatement({ ...signed, statement: { ...signed.statement, generation: 0, membersDigest: membersDigest([...elders, 'f'.repeat(64)]) } })
    assert.ok(!tampered.ok && /does not verify/.test(tampered.reason))
    const foreign = checkSignedStatement(signStatement(genesis(), key(7)))
    assert.ok(!foreign.ok && /not one of the elders it names/.test(foreign.reason))
  })

  it('refuse a decision at genesis, and a decision that is not of the previous generation', () => {
    const decision = forgedJoinDecision('a'.repeat(64), 0)
    assert.throws(() => signStatement(genesis({ lastDecision: decision }), key(0)))
    assert.ok(!checkSignedStatement({ statement: genesis({ generation: 2, lastDecision: decision }), signer: elders[0], signature: '0'.repeat(128) }).ok)
  })

  it('give the same digest for a member list in any order', () => {
    assert.equal(membersDigest([...elders].reverse()), membersDigest(elders))
    assert.notEqual(membersDigest(elders.slice(1)), membersDigest(elders))
  })

  it('are believed once 5 of the 7 elders signed the same bytes, and not before', () => {
    const quorum = new StatementQuorum()
    const statement = genesis()
    const results = keys.slice(0, 5).map(elder => {
      const checked = checkSignedStatement(signStatement(statement, elder))
      assert.ok(checked.ok)
      return quorum.add(checked.signed, checked.id)
    })
    assert.deepEqual(results.slice(0, 4).map(r => r.status), ['pending', 'pending', 'pending', 'pending'])
    const last = results[4]
    assert.ok(last?.status === 'complete')
    assert.equal(last.signatures.length, 5)
    // A sixth signature of the same elder twice still counts once.
    const again = checkSignedStatement(signStatement(statement, key(0)))
    assert.ok(again.ok)
    assert.equal(quorum.signatures(again.id).length, 5)
  })
})
