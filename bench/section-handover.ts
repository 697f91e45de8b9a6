// Benchmark: one elder handover in a live section of 8 vaults, in memory (section-node.ts,
// elder-handover.ts). An elder is paused by the others' audits; from the first audit to every vault
// following the new key: the Pause decision, the 7 incoming elders' DKG through the section
// protocol, their signed key claims, the Handover decision, the outgoing elders' link shares
// combined into the chain link, and every vault verifying the link and the new elders taking over.
// All 8 vaults run in this process, one after another, every message through its wire encoding,
// on a manual clock: no network delays and no timeouts, so this is the work a handover costs.
// Baseline, sampled between the runs: the bare 7-party DKG alone (section-crypto.ts), the floor
// under any handover.
import { byRank } from '../node-core/engine/section/known-vaults.ts'
import { ELDER_COUNT } from '../node-core/section/rules/elders.ts'
import { MemorySection, testIdentity } from '../test/unit/engine/section/memory-section.ts'
import { runDkg } from './section-crypto.ts'
import { median } from './stats.ts'

const RUNS = Number(process.env.BENCH_SECTION_HANDOVER_RUNS ?? 3)
/** Audits failed in a row that pause a member by default (member-health.ts). */
const FAILED_AUDITS = 6

async function handoverOnce (run: number): Promise<number> {
  const net = new MemorySection()
  const names = Array.from({ length: ELDER_COUNT + 1 }, (_, i) => net.add(testIdentity(`bench-handover-${run}-${i}`)).self)
  await net.connectAll()
  await net.advance(1000)
  const keyOf = (name: string): string | undefined => net.node(name).membership?.sectionKey
  const genesisKey = keyOf(names[0] ?? '')
  if (genesisKey === undefined || names.some(name => keyOf(name) !== genesisKey)) throw new Error(`run ${run}: the section did not form`)
  const victim = byRank(names)[2] ?? ''
  const voting = names.filter(name => net.node(name).isVotingElder)
  const t0 = performance.now()
  for (let i = 0; i < FAILED_AUDITS; i++) {
    for (const elder of voting) await net.node(elder).noteAudit(victim, { passed: false, kind: 'missed-audit', reason: 'bench' })
  }
  await net.settle()
  // Every step goes as soon as its messages arrive; the clock moves only if one did not.
  for (let tick = 0; names.some(name => keyOf(name) === genesisKey || net.node(name).membership?.pendingHandover !== undefined); tick++) {
    if (tick === 30) throw new Error(`run ${run}: no handover after 30 s of the manual clock`)
    await net.advance(1000)
  }
  const elapsed = performance.now() - t0
  for (const node of net.nodes.values()) node.stop()
  return elapsed
}

export async function measureSectionHandover (): Promise<{ handoverMs: number, dkgMs: number, dkgSamples: number }> {
  runDkg('warm-up') // noble builds its precomputed tables on first use
  const dkgTimes: number[] = []
  const handoverTimes: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now()
    runDkg(`baseline-${run}`)
    dkgTimes.push(performance.now() - t0)
    handoverTimes.push(await handoverOnce(run))
  }
  return { handoverMs: median(handoverTimes), dkgMs: median(dkgTimes), dkgSamples: dkgTimes.length }
}

if (import.meta.main) {
  const f = await measureSectionHandover()
  console.log(`  elder handover, 8 vaults in one process, one thread, manual clock:`)
  console.log(`    handover, median of ${RUNS}                 ${f.handoverMs.toFixed(0).padStart(6)} ms   ratio ${(f.handoverMs / f.dkgMs).toFixed(1).padStart(5)}   first failed audit -> Pause -> DKG -> Handover -> link -> every vault on the new key`)
  console.log(`    baseline: the bare 7-party DKG ${f.dkgMs.toFixed(0)} ms (median of ${f.dkgSamples}, sampled between the runs above)`)
}
