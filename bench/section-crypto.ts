// Benchmark: section cryptography for 7 elders, threshold 4 (DESIGN §2), all in this one process.
//   DKG          the whole joint-Feldman run (every elder's work, messages encoded and decoded), median of 5;
//   decision     propose -> 5 elders sign shares -> accumulator checks 5 shares -> combined -> decision verified;
//   throughput   decisions per second when one process does all of that back to back, and the
//                accumulating elder's own part of it (its share, 5 share checks, combine).
// Baseline, sampled between those runs: one plain single-key BLS sign + verify (hash to G2, sign, pairing check).
// No network: this is the cryptography's cost; message delays come on top.
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { createDkgParticipant, decodeDkgMessage, encodeDkgMessage, type DkgOutgoing, type DkgParticipant, type DkgResult } from '../node-core/section/crypto/dkg.ts'
import { DecisionAccumulator, ElderVoter, verifyDecision, type Decision, type Proposal } from '../node-core/section/crypto/decisions.ts'
import { groupPublicKey, SECTION_SIGNATURE_DST, type PublicKeySet } from '../node-core/section/crypto/threshold-bls.ts'
import { median } from './stats.ts'

const ELDERS = 7
const THRESHOLD = 4
const DKG_RUNS = Number(process.env.BENCH_SECTION_DKG_RUNS ?? 5)
const DECISION_RUNS = Number(process.env.BENCH_SECTION_DECISION_RUNS ?? 10)

export interface SectionCryptoFigures {
  baselineMs: number
  baselineSamples: number
  dkgMs: number
  decisionMs: number
  decisionsPerSecond: number
  accumulatorMs: number
}

/** One plain single-key BLS sign + verify. Sampled between the measured runs, so load on the machine hits both alike. */
export function baselineSample (run: number): number {
  const bls = bls12_381.longSignatures
  const { secretKey, publicKey } = bls.keygen()
  const message = new TextEncoder().encode(`baseline ${run}`)
  const t0 = performance.now()
  const hashed = bls.hash(message, SECTION_SIGNATURE_DST)
  const signature = bls.sign(hashed, secretKey)
  if (!bls.verify(signature, hashed, publicKey)) throw new Error('baseline signature did not verify')
  return performance.now() - t0
}

/** One DKG among `ELDERS`, every message through its byte encoding, on a reliable synchronous network. */
export function runDkg (session: string): DkgResult[] {
  const participants: DkgParticipant[] = []
  for (let index = 1; index <= ELDERS; index++) participants.push(createDkgParticipant({ session, participants: ELDERS, threshold: THRESHOLD, index }))
  const round = (step: (p: DkgParticipant) => DkgOutgoing): void => {
    participants.map(step).forEach(({ broadcast, direct }, i) => {
      const from = i + 1
      for (const message of broadcast) {
        const bytes = encodeDkgMessage(message)
        for (const p of participants) if (p.index !== from) p.receive(from, decodeDkgMessage(bytes))
      }
      for (const { to, message } of direct) participants[to - 1]?.receive(from, decodeDkgMessage(encodeDkgMessage(message)))
    })
  }
  round(p => p.start())
  round(p => p.endDealing())
  round(p => p.endComplaints())
  return participants.map(p => p.finish())
}

async function decide (voters: ElderVoter[], publicKeySet: PublicKeySet, proposal: Proposal): Promise<{ decision: Decision, signMs: number, accumulatorMs: number }> {
  const accumulator = new DecisionAccumulator({ publicKeySet, elders: ELDERS })
  let signMs = 0
  let accumulatorMs = 0
  for (const voter of voters.slice(0, THRESHOLD + 1)) {
    const t0 = performance.now()
    const vote = await voter.vote(proposal)
    const t1 = performance.now()
    const result = accumulator.add(vote)
    signMs += t1 - t0
    accumulatorMs += performance.now() - t1
    if (result.status === 'decided') return { decision: result.decision, signMs, accumulatorMs }
    if (result.status === 'dropped') throw new Error(`vote dropped: ${result.reason}`)
  }
  throw new Error('no decision after 5 shares')
}

export async function measureSectionCrypto (): Promise<SectionCryptoFigures> {
  baselineSample(-1) // warm-up: noble builds its precomputed tables on first use
  const baselineTimes: number[] = []
  const dkgTimes: number[] = []
  let keys: DkgResult[] = []
  for (let run = 0; run < DKG_RUNS; run++) {
    baselineTimes.push(baselineSample(baselineTimes.length))
    const t0 = performance.now()
    keys = runDkg(`bench-${run}`)
    dkgTimes.push(performance.now() - t0)
  }
  const first = keys[0]
  if (first === undefined) throw new Error('the DKG produced no keys')
  const publicKeySet = first.publicKeySet
  const sectionKey = groupPublicKey(publicKeySet)
  // The elders vote in a rotating order so every run uses a different 5 of 7.
  const voters = keys.map(k => new ElderVoter({ secretKeyShare: k.secretKeyShare, publicKeySet }))

  const latencies: number[] = []
  const accumulatorTimes: number[] = []
  const started = performance.now()
  let baselineDuringDecisionsMs = 0
  for (let run = 0; run < DECISION_RUNS; run++) {
    const sampled = performance.now()
    baselineTimes.push(baselineSample(baselineTimes.length))
    baselineDuringDecisionsMs += performance.now() - sampled
    const proposal: Proposal = { kind: 'join', subject: (run % 256).toString(16).padStart(2, '0').repeat(32), generation: run, sectionPrefix: '', payload: { age: 5 } }
    const order = voters.map((_, i) => voters[(i + run) % ELDERS]).filter((v): v is ElderVoter => v !== undefined)
    const t0 = performance.now()
    const { decision, signMs, accumulatorMs } = await decide(order, publicKeySet, proposal)
    const verified = verifyDecision(decision, [sectionKey], { generation: run })
    const t1 = performance.now()
    if (!verified.ok) throw new Error(`decision did not verify: ${verified.reason}`)
    latencies.push(t1 - t0)
    // The accumulating elder's own work: its one share, the 5 share checks and the combination.
    accumulatorTimes.push(signMs / (THRESHOLD + 1) + accumulatorMs)
  }
  const elapsed = performance.now() - started - baselineDuringDecisionsMs
  return {
    baselineMs: median(baselineTimes),
    baselineSamples: baselineTimes.length,
    dkgMs: median(dkgTimes),
    decisionMs: median(latencies),
    decisionsPerSecond: DECISION_RUNS / (elapsed / 1000),
    accumulatorMs: median(accumulatorTimes)
  }
}

if (import.meta.main) {
  const f = await measureSectionCrypto()
  const line = (label: string, ms: number, note: string): void => {
    console.log(`    ${label.padEnd(44)} ${ms.toFixed(0).padStart(5)} ms   ratio ${(ms / f.baselineMs).toFixed(1).padStart(5)}   ${note}`)
  }
  console.log(`  section crypto, ${ELDERS} elders, threshold ${THRESHOLD} (one process, one thread):`)
  line(`DKG, median of ${DKG_RUNS}`, f.dkgMs, `all ${ELDERS} elders' work, about ${(f.dkgMs / ELDERS).toFixed(0)} ms each`)
  line(`decision latency, median of ${DECISION_RUNS}`, f.decisionMs, 'propose -> 5 shares -> combined -> verified')
  line('accumulating elder\'s work per decision', f.accumulatorMs, 'its share, 5 share checks, combine')
  console.log(`    decisions per second, back to back: ${f.decisionsPerSecond.toFixed(2)} /s in one process; one accumulating elder alone ${(1000 / f.accumulatorMs).toFixed(2)} /s`)
  console.log(`    baseline: one single-key BLS sign + verify ${f.baselineMs.toFixed(1)} ms (median of ${f.baselineSamples}, sampled between the runs above)`)
}
