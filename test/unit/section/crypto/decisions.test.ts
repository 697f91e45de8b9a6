import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha3_256 } from '@noble/hashes/sha3.js'
import { hexToBytes } from '@noble/curves/utils.js'
import {
  churnId, DecisionAccumulator, DECISION_DOMAIN, encodeProposal, EquivocationRefusedError, ElderVoter, InvalidProposalError,
  loadVoterState, proposalId, saveVoterState, verifyDecision, VoterStateError,
  type AccumulatorResult, type Decision, type Proposal, type Vote, type VoterState
} from '../../../../node-core/section/crypto/decisions.ts'
import { chainLinkMessage, SectionChain } from '../../../../node-core/section/crypto/section-chain.ts'
import {
  combineShares, dealSharesAsTrustedDealer, groupPublicKey, NotEnoughSharesError, publicKeyToHex, signatureFromHex, signatureToHex, signShare,
  type PublicKeySet, type SecretKeyShare
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from './seeded-random.ts'

const ELDERS = [1, 2, 3, 4, 5, 6, 7]

interface Section { set: PublicKeySet, shares: SecretKeyShare[] }

function section (seed: string): Section {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: 7, random: seededRandom(seed) })
  return { set: dealt.publicKeySet, shares: dealt.secretKeyShares }
}

function share (s: Section, index: number): SecretKeyShare {
  return s.shares[index - 1] ?? assert.fail(`no share ${index}`)
}

function voters (s: Section): Map<number, ElderVoter> {
  return new Map(ELDERS.map(i => [i, new ElderVoter({ secretKeyShare: share(s, i), publicKeySet: s.set })]))
}

function voter (all: Map<number, ElderVoter>, index: number): ElderVoter {
  return all.get(index) ?? assert.fail(`no voter ${index}`)
}

/** A faulty elder signs whatever it likes, bypassing ElderVoter. */
function rawVote (s: Section, index: number, proposal: Proposal): Vote {
  return { proposal, index, signature: signatureToHex(signShare(share(s, index), encodeProposal(proposal)).signature) }
}

function name (byte: number): string {
  return byte.toString(16).padStart(2, '0').repeat(32)
}

function join_ (subject: string, generation = 10): Proposal {
  return { kind: 'join', subject, generation, sectionPrefix: '01', payload: { age: 5 } }
}

function decided (result: AccumulatorResult): Decision {
  assert.equal(result.status, 'decided', JSON.stringify(result))
  return result.status === 'decided' ? result.decision : assert.fail()
}

function dropped (result: AccumulatorResult): string {
  assert.equal(result.status, 'dropped')
  return result.status === 'dropped' ? result.reason : ''
}

const ours = section('decisions')
const foreign = section('foreign')
const ourKey = groupPublicKey(ours.set)

describe('proposals', () => {
  it('encode canonically: domain first, payload order irrelevant, every field bound', () => {
    const a: Proposal = { kind: 'relocate', subject: name(1), generation: 7, sectionPrefix: '0', payload: { destination: name(2), age: 9, reasons: ['x'] } }
    const b: Proposal = { ...a, payload: { reasons: ['x'], age: 9, destination: name(2) } }
    assert.deepEqual(encodeProposal(a), encodeProposal(b))
    assert.equal(proposalId(a), proposalId(b))
    assert.ok(new TextDecoder().decode(encodeProposal(a)).startsWith(`${DECISION_DOMAIN}\u0000`))
    const variants: Proposal[] = [
      { ...a, kind: 'join' }, { ...a, subject: name(3) }, { ...a, generation: 8 }, { ...a, sectionPrefix: '1' },
      { ...a, payload: { ...a.payload, age: 10 } }, { ...a, payload: { ...a.payload, reasons: ['x', 'y'] } }
    ]
    assert.equal(new Set([a, ...variants].map(proposalId)).size, variants.length + 1)
  })

  it('are validated: kinds, subjects, generations, prefixes and payload values', () => {
    const a = join_(name(1))
    const invalid: unknown[] = [
      { ...a, kind: 'promote' }, { ...a, subject: name(0xab).toUpperCase() }, { ...a, subject: 'era-2' }, { ...a, generation: -1 },
      { ...a, generation: 1.5 }, { ...a, sectionPrefix: '012' }, { ...a, payload: { age: 5.5 } }, { ...a, payload: { nested: { a: 1 } } },
      { ...a, extra: true }, { ...a, payload: { big: 'x'.repeat(1025) } }
    ]
    for (const value of invalid) assert.throws(() => encodeProposal(value as Proposal), InvalidProposalError, JSON.stringify(value).slice(0, 80))
    encodeProposal({ kind: 'era-activation', subject: 'era-2', generation: 3, sectionPrefix: '', payload: { effectiveEpoch: 12 } })
  })
})

describe('ElderVoter', () => {
  it('refuses to sign a second proposal for the same generation, and re-signs the same one', async () => {
    const v = new ElderVoter({ secretKeyShare: share(ours, 1), publicKeySet: ours.set })
    const first = await v.vote(join_(name(1)))
    assert.deepEqual(await v.vote(join_(name(1))), first)
    await assert.rejects(v.vote(join_(name(2))), (err: unknown) => err instanceof EquivocationRefusedError && err.name === 'EquivocationRefusedError' && /already signed proposal .* for generation 10/.test(err.message))
    // Another generation is another vote.
    await v.vote(join_(name(2), 11))
    assert.deepEqual(v.state.signed, [{ generation: 10, proposal: proposalId(join_(name(1))) }, { generation: 11, proposal: proposalId(join_(name(2), 11)) }])
    v.forgetBelow(11)
    assert.deepEqual(v.state.signed.map(s => s.generation), [11])
  })

  it('persists its record before releasing the share, and refuses after a failed persist', async () => {
    const persisted: VoterState[] = []
    let fail = false
    const v = new ElderVoter({
      secretKeyShare: share(ours, 2),
      publicKeySet: ours.set,
      persist: async (state) => { if (fail) throw new Error('disk full'); persisted.push(state) }
    })
    await v.vote(join_(name(1)))
    assert.equal(persisted.length, 1)
    assert.deepEqual(persisted[0]?.signed.map(s => s.generation), [10])
    await v.vote(join_(name(1)))
    assert.equal(persisted.length, 1, 'the same vote again needs no new record')
    fail = true
    await assert.rejects(v.vote(join_(name(4), 12)), /disk full/)
    fail = false
    await assert.rejects(v.vote(join_(name(5), 12)), EquivocationRefusedError)
    await assert.rejects(v.vote(join_(name(4), 12)), /disk full/, 'the vote whose record was never stored is never released')
  })

  it('releases no share, not even a repeated one, before the record is stored', async () => {
    let store: () => void = () => {}
    const stored = new Promise<void>(resolve => { store = resolve })
    const v = new ElderVoter({ secretKeyShare: share(ours, 6), publicKeySet: ours.set, persist: () => stored })
    const released: number[] = []
    const first = v.vote(join_(name(1))).then(() => released.push(1))
    const repeat = v.vote(join_(name(1))).then(() => released.push(2))
    await new Promise<void>(resolve => { setImmediate(resolve) })
    assert.deepEqual(released, [])
    store()
    await Promise.all([first, repeat])
    assert.deepEqual(released.sort(), [1, 2])
  })

  it('keeps refusing across a restart from its saved state, and only for its own key share', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voter-state-'))
    try {
      const path = join(dir, 'voter.json')
      assert.equal(await loadVoterState(path), undefined)
      const before = new ElderVoter({ secretKeyShare: share(ours, 3), publicKeySet: ours.set, persist: state => saveVoterState(path, state) })
      await before.vote(join_(name(1)))
      assert.equal((await stat(path)).mode & 0o777, 0o600)
      const saved = await loadVoterState(path)
      assert.deepEqual(saved, before.state)
      const after = new ElderVoter({ secretKeyShare: share(ours, 3), publicKeySet: ours.set, state: saved })
      await assert.rejects(after.vote(join_(name(2))), EquivocationRefusedError)
      assert.throws(() => new ElderVoter({ secretKeyShare: share(ours, 4), publicKeySet: ours.set, state: saved }), VoterStateError)
      assert.throws(() => new ElderVoter({ secretKeyShare: share(foreign, 3), publicKeySet: foreign.set, state: saved }), VoterStateError)
      assert.throws(() => new ElderVoter({ secretKeyShare: share(foreign, 3), publicKeySet: ours.set }), { name: 'RangeError', message: /does not belong/ })
      await writeFile(path, JSON.stringify({ ...saved, signed: [{ generation: -1, proposal: 'x' }] }))
      await assert.rejects(loadVoterState(path), VoterStateError)
      await writeFile(path, '{')
      await assert.rejects(loadVoterState(path), { name: 'VoterStateError', message: /not valid JSON/ })
      assert.equal(await readFile(path, 'utf8'), '{', 'an unreadable state file is left for the owner')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('DecisionAccumulator and verifyDecision', () => {
  it('decides at the 5th valid share with 2 elders silent; the decision verifies and gives the churn ID', async () => {
    const all = voters(ours)
    const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7, sectionPrefix: '01' })
    const proposal = join_(name(9))
    const results: AccumulatorResult[] = []
    for (const index of [1, 2, 4, 5, 7]) results.push(accumulator.add(await voter(all, index).vote(proposal)))
    assert.deepEqual(results.slice(0, 4).map(r => r.status === 'pending' ? r.shares : -1), [1, 2, 3, 4])
    const decision = decided(results[4] ?? assert.fail())
    assert.deepEqual(decision.proposal, proposal)
    const verified = verifyDecision(decision, [ourKey], { generation: 10, sectionPrefix: '01' })
    assert.ok(verified.ok, JSON.stringify(verified))
    assert.deepEqual(churnId(decision), sha3_256(hexToBytes(decision.signature)))
    assert.equal(churnId(decision).length, 32)
    // A late 6th share changes nothing.
    assert.match(dropped(accumulator.add(await voter(all, 3).vote(proposal))), /already decided/)
  })

  it('reaches the same decision, and so the same churn ID, from any 5 elders', async () => {
    const all = voters(ours)
    const proposal = join_(name(8))
    const decide = async (elders: number[]): Promise<Decision> => {
      const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7 })
      let last: AccumulatorResult | undefined
      for (const index of elders) last = accumulator.add(await voter(all, index).vote(proposal))
      return decided(last ?? assert.fail())
    }
    const low = await decide([1, 2, 3, 4, 5])
    const high = await decide([7, 6, 5, 4, 3])
    assert.equal(high.signature, low.signature)
    assert.deepEqual(churnId(high), churnId(low))
  })

  it('drops bad, misattributed, duplicate and foreign shares with a reason, and still decides', async () => {
    const all = voters(ours)
    const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7, sectionPrefix: '01' })
    const proposal = join_(name(7))
    const other = join_(name(6), 11)
    const good = await voter(all, 1).vote(proposal)
    assert.equal(accumulator.add(good).status, 'pending')
    assert.match(dropped(accumulator.add(good)), /duplicate vote of elder 1/)
    // Elder 2's share over another proposal, presented as a vote for this one.
    assert.match(dropped(accumulator.add({ ...(await voter(all, 2).vote(other)), proposal })), /share of elder 2 does not verify/)
    // Elder 3's share claimed by elder 4.
    assert.match(dropped(accumulator.add({ ...(await voter(all, 3).vote(proposal)), index: 4 })), /share of elder 4 does not verify/)
    // A share from the foreign section's elder 5.
    assert.match(dropped(accumulator.add(rawVote(foreign, 5, proposal))), /share of elder 5 does not verify/)
    assert.match(dropped(accumulator.add({ ...good, index: 2, signature: 'ff'.repeat(96) })), /not a valid compressed G2 point/)
    assert.match(dropped(accumulator.add({ ...good, index: 8 })), /elders 1 to 7/)
    assert.match(dropped(accumulator.add({ ...good, proposal: { ...proposal, sectionPrefix: '00' } })), /section "00", not "01"/)
    assert.match(dropped(accumulator.add({ proposal, index: 2 })), /malformed vote/)
    let result: AccumulatorResult | undefined
    for (const index of [2, 3, 4, 5]) result = accumulator.add(await voter(all, index).vote(proposal))
    assert.ok(verifyDecision(decided(result ?? assert.fail()), [ourKey]).ok)
  })

  it('with 2 elders equivocating: honest elders refuse, the conflicting proposal never reaches 5, and the evidence is kept', async () => {
    const all = voters(ours)
    const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7 })
    const a = join_(name(0xa))
    const b = join_(name(0xb))
    const honestA = [1, 2, 3]
    const honestB = [4, 5]
    const equivocators = [6, 7]
    const outcomes = new Map<string, AccumulatorResult[]>([['a', []], ['b', []]])
    for (const index of honestA) outcomes.get('a')?.push(accumulator.add(await voter(all, index).vote(a)))
    for (const index of honestB) outcomes.get('b')?.push(accumulator.add(await voter(all, index).vote(b)))
    // Each honest elder, asked to sign the other proposal of generation 10, refuses.
    for (const index of honestA) await assert.rejects(voter(all, index).vote(b), EquivocationRefusedError)
    for (const index of honestB) await assert.rejects(voter(all, index).vote(a), EquivocationRefusedError)
    for (const index of equivocators) {
      outcomes.get('b')?.push(accumulator.add(rawVote(ours, index, b)))
      outcomes.get('a')?.push(accumulator.add(rawVote(ours, index, a)))
    }
    const decidedA = outcomes.get('a')?.filter(r => r.status === 'decided') ?? []
    const decidedB = outcomes.get('b')?.filter(r => r.status === 'decided') ?? []
    assert.equal(decidedA.length, 1)
    assert.equal(decidedB.length, 0)
    assert.deepEqual(outcomes.get('b')?.map(r => r.status === 'pending' ? r.shares : r.status), [1, 2, 3, 4])
    // All valid shares of b there can be: 4, one short. They do not combine.
    const bShares = [4, 5, 6, 7].map(i => ({ index: i, signature: signShare(share(ours, i), encodeProposal(b)).signature }))
    assert.throws(() => combineShares(bShares, 4), NotEnoughSharesError)
    // Nor does borrowing an honest elder's share of a.
    const borrowed = { index: 1, signature: signatureFromHex((await voter(all, 1).vote(a)).signature) }
    const forgedB: Decision = { proposal: b, sectionKey: decided(decidedA[0] ?? assert.fail()).sectionKey, signature: signatureToHex(combineShares([...bShares, borrowed], 4)) }
    assert.equal(verifyDecision(forgedB, [ourKey]).ok, false)
    assert.deepEqual(accumulator.evidence.map(e => [e.index, e.generation, proposalId(e.votes[0].proposal), proposalId(e.votes[1].proposal)]), [
      [6, 10, proposalId(b), proposalId(a)],
      [7, 10, proposalId(b), proposalId(a)]
    ])
  })

  it('ignores a replayed decision of an older generation, and one from the future', async () => {
    const all = voters(ours)
    const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7 })
    let last: AccumulatorResult | undefined
    for (const index of [3, 4, 5, 6, 7]) last = accumulator.add(await voter(all, index).vote(join_(name(5), 10)))
    const old = decided(last ?? assert.fail())
    const replay = verifyDecision(old, [ourKey], { generation: 11 })
    assert.equal(replay.ok ? '' : replay.problem, 'stale-generation')
    assert.match(replay.ok ? '' : replay.reason, /generation 10, but the section is at generation 11: a replay/)
    const ahead = verifyDecision(old, [ourKey], { generation: 9 })
    assert.equal(ahead.ok ? '' : ahead.problem, 'future-generation')
    assert.ok(verifyDecision(old, [ourKey], { generation: 10 }).ok)
  })

  it('ignores a decision signed by a foreign section key, or tampered with after signing', async () => {
    const foreignAccumulator = new DecisionAccumulator({ publicKeySet: foreign.set, elders: 7 })
    let last: AccumulatorResult | undefined
    for (const index of [1, 2, 3, 4, 5]) last = foreignAccumulator.add(rawVote(foreign, index, join_(name(3))))
    const foreignDecision = decided(last ?? assert.fail())
    const unknown = verifyDecision(foreignDecision, [ourKey])
    assert.equal(unknown.ok ? '' : unknown.problem, 'unknown-section-key')
    assert.match(unknown.ok ? '' : unknown.reason, /not a known key of this section/)
    // The foreign signature presented as ours.
    const claimed = verifyDecision({ ...foreignDecision, sectionKey: publicKeyToHex(ourKey) }, [ourKey])
    assert.equal(claimed.ok ? '' : claimed.problem, 'bad-signature')
    // Our own decision with its subject changed.
    const ourAccumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7 })
    for (const index of [1, 2, 3, 4, 5]) last = ourAccumulator.add(rawVote(ours, index, join_(name(3))))
    const genuine = decided(last ?? assert.fail())
    const tampered = verifyDecision({ ...genuine, proposal: { ...genuine.proposal, subject: name(4) } }, [ourKey])
    assert.equal(tampered.ok ? '' : tampered.problem, 'bad-signature')
    const malformed = verifyDecision({ ...genuine, signature: 'zz' }, [ourKey])
    assert.equal(malformed.ok ? '' : malformed.problem, 'malformed')
  })

  it('accepts a decision signed by an older key of a verified section chain', async () => {
    const next = section('next')
    const nextKey = groupPublicKey(next.set)
    const link = combineShares([1, 2, 3, 4, 5].map(i => signShare(share(ours, i), chainLinkMessage(ourKey, nextKey))), 4)
    const extended = SectionChain.fromGenesis(ourKey).extend(nextKey, link)
    assert.ok(extended.ok)
    const accumulator = new DecisionAccumulator({ publicKeySet: ours.set, elders: 7 })
    let last: AccumulatorResult | undefined
    for (const index of [1, 2, 3, 4, 5]) last = accumulator.add(rawVote(ours, index, join_(name(2))))
    const decision = decided(last ?? assert.fail())
    assert.ok(verifyDecision(decision, extended.chain).ok)
    const fromGenesisOnly = verifyDecision(decision, SectionChain.fromGenesis(nextKey))
    assert.equal(fromGenesisOnly.ok ? '' : fromGenesisOnly.problem, 'unknown-section-key')
  })
})
