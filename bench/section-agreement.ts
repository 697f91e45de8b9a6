// Benchmark: one decision of a 7-elder section through the whole protocol the live section runs
// (round-agreement.ts, section-consensus.ts): the proposer's signed proposal, every elder's signed
// prevote and precommit, the quorums passed on, the key shares on the committed proposal, and each
// elder combining 5 shares into the decision and verifying it. All 7 elders run in this process,
// one after another, every message through its wire encoding; no network delays.
// Baseline, sampled between the runs: one plain single-key BLS sign + verify (section-crypto.ts).
import { DecisionAccumulator, ElderVoter, verifyDecision, type Decision, type Proposal } from '../node-core/section/crypto/decisions.ts'
import { dealSharesAsTrustedDealer, groupPublicKey } from '../node-core/section/crypto/threshold-bls.ts'
import { generateReleaseKey } from '../node-core/release/keys.ts'
import { SectionConsensus } from '../node-core/engine/section/section-consensus.ts'
import { decodeSectionMessage, encodeSectionMessage } from '../node-core/engine/section/section-messages.ts'
import { timerSchedule } from '../node-core/engine/section/schedule.ts'
import { baselineSample } from './section-crypto.ts'
import { median } from './stats.ts'

const ELDERS = 7
const RUNS = Number(process.env.BENCH_SECTION_AGREEMENT_RUNS ?? 10)

function join (generation: number): Proposal {
  return { kind: 'join', subject: (generation % 256).toString(16).padStart(2, '0').repeat(32), generation, sectionPrefix: '', payload: { age: 5 } }
}

export async function measureSectionAgreement (): Promise<{ decisionMs: number, baselineMs: number, baselineSamples: number, decisionsPerSecond: number }> {
  const dealt = dealSharesAsTrustedDealer({ threshold: 4, count: ELDERS })
  const sectionKey = groupPublicKey(dealt.publicKeySet)
  const keys = Array.from({ length: ELDERS }, (_, i) => generateReleaseKey(`elder-${i + 1}`))
  const elders = keys.map(key => key.public)
  const queue: Array<{ to: number, from: string, bytes: Uint8Array }> = []
  const generation = { value: 0 }
  const decided = new Map<number, Decision>()
  const consensus: SectionConsensus[] = keys.map((key, i) => {
    const membership = { generation: 0 }
    const share = dealt.secretKeyShares[i]
    if (share === undefined) throw new Error(`no key share ${i + 1}`)
    const elder: SectionConsensus = new SectionConsensus({
      self: key.public,
      elders,
      prefix: '',
      key,
      voter: new ElderVoter({ secretKeyShare: share, publicKeySet: dealt.publicKeySet }),
      accumulator: new DecisionAccumulator({ publicKeySet: dealt.publicKeySet, elders: ELDERS, sectionPrefix: '' }),
      membership,
      agenda: {
        next: () => membership.generation < generation.value + 1 ? join(membership.generation) : undefined,
        objection: proposal => proposal.generation === membership.generation ? undefined : 'another generation',
        generationChanged: () => {}
      },
      send: (to, message) => { queue.push({ to: elders.indexOf(to), from: key.public, bytes: encodeSectionMessage(message) }) },
      // Never fires within a run: every message arrives at once.
      schedule: timerSchedule,
      decided: async decision => {
        const verified = verifyDecision(decision, [sectionKey], { generation: membership.generation })
        if (!verified.ok) throw new Error(`decision did not verify: ${verified.reason}`)
        decided.set(i, decision)
        membership.generation++
        await elder.generationChanged()
      },
      proposalTimeoutMs: 60_000
    })
    return elder
  })

  baselineSample(-1)
  const baselineTimes: number[] = []
  const latencies: number[] = []
  let measuredMs = 0
  for (let run = 0; run < RUNS; run++) {
    baselineTimes.push(baselineSample(run))
    decided.clear()
    const t0 = performance.now()
    for (const elder of consensus) await elder.agendaChanged()
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const message = decodeSectionMessage(next.bytes)
      const elder = consensus[next.to]
      if (elder === undefined) continue
      if (message.type === 'consensus') await elder.receiveConsensus(next.from, message.items)
      else if (message.type === 'vote') await elder.receiveVote(next.from, message.vote)
    }
    const elapsed = performance.now() - t0
    if (decided.size !== ELDERS) throw new Error(`run ${run}: ${decided.size} of ${ELDERS} elders decided`)
    latencies.push(elapsed)
    measuredMs += elapsed
    generation.value++
  }
  for (const elder of consensus) elder.stop()
  return { decisionMs: median(latencies), baselineMs: median(baselineTimes), baselineSamples: baselineTimes.length, decisionsPerSecond: RUNS / (measuredMs / 1000) }
}

if (import.meta.main) {
  const f = await measureSectionAgreement()
  console.log(`  section decision through the elders' agreement, ${ELDERS} elders in one process, one thread:`)
  console.log(`    decision latency, median of ${RUNS}        ${f.decisionMs.toFixed(0).padStart(5)} ms   ratio ${(f.decisionMs / f.baselineMs).toFixed(1).padStart(5)}   proposal -> prevotes -> precommits -> 7 shares -> every elder's decision verified`)
  console.log(`    one elder's part, about                  ${(f.decisionMs / ELDERS).toFixed(0).padStart(5)} ms   ratio ${(f.decisionMs / ELDERS / f.baselineMs).toFixed(1).padStart(5)}   (a seventh of the above; in a real section the elders work in parallel)`)
  console.log(`    decisions per second, back to back: ${f.decisionsPerSecond.toFixed(2)} /s with all ${ELDERS} elders in one process`)
  console.log(`    baseline: one single-key BLS sign + verify ${f.baselineMs.toFixed(1)} ms (median of ${f.baselineSamples}, sampled between the runs above)`)
}
