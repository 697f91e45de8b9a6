import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  createDkgParticipant, decodeDkgMessage, DkgFailedError, DkgMessageError, DkgPhaseError, encodeDkgMessage,
  type DkgMessage, type DkgParticipant, type DkgReceipt, type DkgResult
} from '../../../../node-core/section/crypto/dkg.ts'
import { Fr, scalarToHex } from '../../../../node-core/section/crypto/scalar.ts'
import { lagrangeCoefficientsAtZero } from '../../../../node-core/section/crypto/polynomial.ts'
import {
  combineShares, groupPublicKey, hashMessage, publicKeyFromSecret, publicKeySetToBytes, publicKeyShare, publicKeyToHex,
  signShare, verify
} from '../../../../node-core/section/crypto/threshold-bls.ts'
import { seededRandom } from './seeded-random.ts'

const N = 7
const T = 4
const SESSION = 'section "" generation 3: elders 1-7'

/** What a faulty dealer does to a message on its way to `to`: replace it, send more, or drop it (undefined). */
type Tamper = (message: DkgMessage, to: number) => DkgMessage | DkgMessage[] | undefined

interface Run {
  results: Map<number, DkgResult>
  failures: Map<number, Error>
  rejected: Array<{ to: number, message: DkgMessage, receipt: DkgReceipt }>
  /** Every broadcast message, as its sender emitted it. */
  broadcasts: DkgMessage[]
  participants: Map<number, DkgParticipant>
}

/** An in-memory, synchronous network: every phase's messages arrive (encoded, decoded) before it ends. */
function runDkg (options: { silent?: number[], tamper?: Tamper, seed?: string, n?: number, t?: number } = {}): Run {
  const silent = new Set(options.silent ?? [])
  const participants = new Map<number, DkgParticipant>()
  const n = options.n ?? N
  for (let index = 1; index <= n; index++) {
    if (!silent.has(index)) participants.set(index, createDkgParticipant({ session: SESSION, participants: n, threshold: options.t ?? T, index, random: seededRandom(`${options.seed ?? 'dkg'}/${index}`) }))
  }
  const rejected: Run['rejected'] = []
  const broadcasts: DkgMessage[] = []
  const deliver = (from: number, to: number, message: DkgMessage): void => {
    const recipient = participants.get(to)
    if (recipient === undefined) return
    const tampered = options.tamper === undefined ? message : options.tamper(message, to)
    for (const sent of tampered === undefined ? [] : Array.isArray(tampered) ? tampered : [tampered]) {
      const receipt = recipient.receive(from, decodeDkgMessage(encodeDkgMessage(sent)))
      if (!receipt.accepted) rejected.push({ to, message: sent, receipt })
    }
  }
  const round = (step: (p: DkgParticipant) => { broadcast: DkgMessage[], direct: Array<{ to: number, message: DkgMessage }> }): void => {
    const outgoing = [...participants].map(([from, p]) => ({ from, out: step(p) }))
    for (const { from, out } of outgoing) {
      broadcasts.push(...out.broadcast)
      for (const message of out.broadcast) for (const to of participants.keys()) if (to !== from) deliver(from, to, message)
      for (const { to, message } of out.direct) deliver(from, to, message)
    }
  }
  round(p => p.start())
  round(p => p.endDealing())
  round(p => p.endComplaints())
  const results = new Map<number, DkgResult>()
  const failures = new Map<number, Error>()
  for (const [index, p] of participants) {
    try {
      results.set(index, p.finish())
    } catch (err) {
      failures.set(index, err as Error)
    }
  }
  return { results, failures, rejected, broadcasts, participants }
}

function only<T> (value: T | undefined): T {
  assert.ok(value !== undefined)
  return value
}

/** All `honest` participants agree on the qualified set and the public key set; returns one result. */
function assertConsistent (run: Run, honest: number[], qualified: number[]): DkgResult {
  const first = only(run.results.get(only(honest[0])))
  for (const index of honest) {
    const result = only(run.results.get(index))
    assert.deepEqual(result.qualified, qualified, `qualified set seen by ${index}`)
    assert.deepEqual(publicKeySetToBytes(result.publicKeySet), publicKeySetToBytes(first.publicKeySet), `public key set of ${index}`)
    assert.ok(publicKeyFromSecret(result.secretKeyShare.scalar).equals(publicKeyShare(first.publicKeySet, index)), `share of ${index}`)
  }
  return first
}

/** The signers' shares combine to a signature that verifies under the group key. */
function assertSigns (run: Run, signers: number[], text = 'new section key handover'): void {
  const result = only(run.results.get(only(signers[0])))
  const hashed = hashMessage(new TextEncoder().encode(text))
  const shares = signers.map(index => signShare(only(run.results.get(index)).secretKeyShare, hashed))
  assert.equal(verify(groupPublicKey(result.publicKeySet), hashed, combineShares(shares, T)), true)
}

/** The complaints and justifications that were broadcast, as `complainer>dealer` and `dealer>recipient`. */
function disputes (run: Run): { complaints: string[], justifications: string[] } {
  const complaints: string[] = []
  const justifications: string[] = []
  for (const m of run.broadcasts) {
    if (m.type === 'dkg-complaint') complaints.push(`${m.complainer}>${m.dealer}`)
    if (m.type === 'dkg-justification') justifications.push(`${m.dealer}>${m.recipient}`)
  }
  return { complaints, justifications }
}

function corruptShare (hex: string): string {
  return scalarToHex(Fr.add(BigInt(`0x${hex}`), 1n))
}

describe('DKG among 7 elders, threshold 4', () => {
  it('completes: all derive the same key, any 5 sign for it, and the shares interpolate to its secret', () => {
    const run = runDkg()
    assert.equal(run.failures.size, 0)
    assert.deepEqual(run.rejected, [])
    assert.deepEqual(disputes(run), { complaints: [], justifications: [] })
    const all = [1, 2, 3, 4, 5, 6, 7]
    const result = assertConsistent(run, all, all)
    assert.deepEqual(result.disqualified, [])
    assert.equal(result.publicKeySet.threshold, T)
    // Two different 5-subsets give the same (unique) signature, and it verifies.
    const hashed = hashMessage(new TextEncoder().encode('any 5'))
    const signatureOf = (signers: number[]) => combineShares(signers.map(i => signShare(only(run.results.get(i)).secretKeyShare, hashed)), T)
    const low = signatureOf([1, 2, 3, 4, 5])
    assert.ok(low.equals(signatureOf([3, 4, 5, 6, 7])))
    assert.equal(verify(groupPublicKey(result.publicKeySet), hashed, low), true)
    // Nobody holds the secret, but 5 shares determine it and it matches the group key.
    const five = [2, 3, 5, 6, 7]
    const lambdas = lagrangeCoefficientsAtZero(five)
    const secret = five.reduce((sum, index, i) => Fr.add(sum, Fr.mul(lambdas[i] ?? 0n, only(run.results.get(index)).secretKeyShare.scalar)), Fr.ZERO)
    assert.ok(publicKeyFromSecret(secret).equals(groupPublicKey(result.publicKeySet)))
  })

  it('replays from seeds, differs between seeds, and runs for other sizes (3 participants, threshold 1)', () => {
    const key = (seed: string) => {
      const run = runDkg({ seed, n: 3, t: 1 })
      assert.deepEqual(only(run.results.get(3)).qualified, [1, 2, 3])
      return publicKeyToHex(groupPublicKey(only(run.results.get(1)).publicKeySet))
    }
    assert.equal(key('a'), key('a'))
    assert.notEqual(key('a'), key('b'))
  })

  it('keeps a dealer that answers a complaint with the right share, and the complainer uses that share', () => {
    // Dealer 3 sends participant 5 a bad share; 5 complains; 3 reveals the good share publicly.
    const run = runDkg({
      tamper: (message, to) => message.type === 'dkg-share' && message.dealer === 3 && to === 5 ? { ...message, share: corruptShare(message.share) } : message
    })
    assert.equal(run.failures.size, 0)
    assert.deepEqual(disputes(run), { complaints: ['5>3'], justifications: ['3>5'] })
    const all = [1, 2, 3, 4, 5, 6, 7]
    assertConsistent(run, all, all)
    assertSigns(run, [1, 2, 3, 5, 7])
  })

  it('disqualifies a dealer whose bad share is complained about and who reveals a bad share; the rest agree', () => {
    const run = runDkg({
      tamper: (message, to) => {
        if (message.type === 'dkg-share' && message.dealer === 3 && to === 5) return { ...message, share: corruptShare(message.share) }
        if (message.type === 'dkg-justification' && message.dealer === 3) return { ...message, share: corruptShare(message.share) }
        return message
      }
    })
    assert.deepEqual(disputes(run), { complaints: ['5>3'], justifications: ['3>5'] })
    const honest = [1, 2, 4, 5, 6, 7]
    const result = assertConsistent(run, honest, honest)
    for (const index of honest) {
      assert.deepEqual(only(run.results.get(index)).disqualified, [{ dealer: 3, reason: 'answered the complaint of 5 with a share that does not match its commitments' }])
    }
    assert.equal(result.publicKeySet.threshold, T)
    assertSigns(run, [1, 2, 4, 5, 6])
  })

  it('disqualifies a dealer that does not answer a complaint', () => {
    const run = runDkg({
      tamper: (message, to) => {
        if (message.type === 'dkg-share' && message.dealer === 6 && to === 2) return { ...message, share: corruptShare(message.share) }
        if (message.type === 'dkg-justification') return undefined
        return message
      }
    })
    assert.deepEqual(disputes(run), { complaints: ['2>6'], justifications: ['6>2'] })
    const honest = [1, 2, 3, 4, 5, 7]
    assertConsistent(run, honest, honest)
    assert.deepEqual(only(run.results.get(1)).disqualified, [{ dealer: 6, reason: 'did not answer the complaint of 2' }])
    assertSigns(run, [2, 3, 4, 5, 7])
  })

  it('complains about a missing share as about a bad one', () => {
    const run = runDkg({
      tamper: (message, to) => message.type === 'dkg-share' && message.dealer === 4 && to === 1 ? undefined : message
    })
    assert.deepEqual(disputes(run), { complaints: ['1>4'], justifications: ['4>1'] })
    const all = [1, 2, 3, 4, 5, 6, 7]
    assertConsistent(run, all, all)
    assertSigns(run, [1, 4, 5, 6, 7])
  })

  it('finishes with 2 silent participants: the 5 others qualify and sign', () => {
    const run = runDkg({ silent: [3, 6] })
    const active = [1, 2, 4, 5, 7]
    assert.equal(run.failures.size, 0)
    const result = assertConsistent(run, active, active)
    assert.deepEqual(result.disqualified, [{ dealer: 3, reason: 'sent no commitments' }, { dealer: 6, reason: 'sent no commitments' }])
    assertSigns(run, active)
  })

  it('fails with DkgFailedError when fewer than t+1 = 5 dealers qualify', () => {
    const run = runDkg({ silent: [1, 2, 3] })
    assert.equal(run.results.size, 0)
    assert.equal(run.failures.size, 4)
    for (const err of run.failures.values()) {
      assert.ok(err instanceof DkgFailedError)
      assert.match(err.message, /only 4 dealers qualified, threshold 4 needs 5/)
    }
  })

  it('disqualifies a dealer that broadcasts two different sets of commitments', () => {
    const run = runDkg({
      silent: [7],
      tamper: (message) => message.type === 'dkg-commitments' && message.dealer === 5
        ? [message, { ...message, commitments: [...message.commitments].reverse() }]
        : message
    })
    const honest = [1, 2, 3, 4, 6]
    for (const to of honest) {
      assert.ok(run.rejected.some(r => r.to === to && !r.receipt.accepted && /dealer 5 sent two different sets of commitments/.test(r.receipt.reason)))
    }
    assertConsistent(run, honest, honest)
    assert.deepEqual(only(run.results.get(1)).disqualified, [{ dealer: 5, reason: 'sent two different sets of commitments' }, { dealer: 7, reason: 'sent no commitments' }])
    assertSigns(run, honest)
  })
})

describe('DKG messages', () => {
  const participant = (): DkgParticipant => createDkgParticipant({ session: SESSION, participants: N, threshold: T, index: 1, random: seededRandom('messages') })
  const commitments = Array.from({ length: T + 1 }, (_, k) => publicKeyToHex(publicKeyFromSecret(BigInt(k + 1))))

  it('round-trip through bytes and refuse anything malformed with DkgMessageError', () => {
    const message: DkgMessage = { type: 'dkg-complaint', session: SESSION, complainer: 2, dealer: 3 }
    assert.deepEqual(decodeDkgMessage(encodeDkgMessage(message)), message)
    const bad = (text: string): Uint8Array => new TextEncoder().encode(text)
    assert.throws(() => decodeDkgMessage(bad('{')), DkgMessageError)
    assert.throws(() => decodeDkgMessage(bad('{"type":"dkg-complaint","session":"s","complainer":0,"dealer":3}')), { name: 'DkgMessageError', message: /complainer/ })
    assert.throws(() => decodeDkgMessage(bad('{"type":"dkg-share","session":"s","dealer":1,"recipient":2,"share":"XYZ"}')), DkgMessageError)
    assert.throws(() => decodeDkgMessage(bad(JSON.stringify({ ...message, extra: 1 }))), DkgMessageError)
    assert.throws(() => decodeDkgMessage(new Uint8Array(70_000)), { name: 'DkgMessageError', message: /exceeds/ })
  })

  it('are refused when for another session, from an impostor, misaddressed or late', () => {
    const p = participant()
    p.start()
    const share = { type: 'dkg-share', session: SESSION, dealer: 2, recipient: 1, share: scalarToHex(5n) } as const
    assert.match(reason(p.receive(2, { ...share, session: 'another' })), /session "another"/)
    assert.match(reason(p.receive(3, share)), /share of dealer 2 sent by 3/)
    assert.match(reason(p.receive(2, { ...share, recipient: 4 })), /addressed to 4, not to 1/)
    assert.match(reason(p.receive(1, share)), /not another participant/)
    assert.match(reason(p.receive(8, share)), /not another participant/)
    assert.deepEqual(p.receive(2, share), { accepted: true })
    assert.match(reason(p.receive(2, share)), /already sent its share/)
    p.endDealing()
    assert.match(reason(p.receive(3, { type: 'dkg-commitments', session: SESSION, dealer: 3, commitments })), /after dealing ended/)
  })

  it('disqualify a dealer with the wrong number of commitments or an invalid point', () => {
    const p = participant()
    p.start()
    assert.match(reason(p.receive(2, { type: 'dkg-commitments', session: SESSION, dealer: 2, commitments: commitments.slice(0, 4) })), /sent 4 commitments, threshold 4 needs 5/)
    assert.match(reason(p.receive(3, { type: 'dkg-commitments', session: SESSION, dealer: 3, commitments: [...commitments.slice(0, 4), 'ff'.repeat(48)] })), /invalid commitment/)
  })

  it('enforce the order of the phases', () => {
    const p = participant()
    assert.throws(() => p.endDealing(), DkgPhaseError)
    p.start()
    assert.throws(() => p.start(), DkgPhaseError)
    assert.throws(() => p.finish(), { name: 'DkgPhaseError', message: /cannot move to finished from dealing/ })
    assert.equal(p.phase, 'dealing')
  })

  it('refuse impossible parameters', () => {
    assert.throws(() => createDkgParticipant({ session: SESSION, participants: 7, threshold: 7, index: 1 }), RangeError)
    assert.throws(() => createDkgParticipant({ session: SESSION, participants: 7, threshold: 4, index: 8 }), RangeError)
    assert.throws(() => createDkgParticipant({ session: SESSION, participants: 7, threshold: 4, index: 0 }), RangeError)
    assert.throws(() => createDkgParticipant({ session: '', participants: 7, threshold: 4, index: 1 }), RangeError)
  })
})

function reason (receipt: DkgReceipt): string {
  assert.equal(receipt.accepted, false)
  return receipt.accepted ? '' : receipt.reason
}
