// Benchmark: one Rekey in a live section of 8 vaults, in memory (rekey.ts, section-node.ts). One
// elder's genesis key generation hears nobody, so it ends without a share; from its first rekey
// request to every elder voting with a share of the new key: the Rekey decision through the
// elders' rounds, the same 7 elders' DKG through the section protocol, their signed key claims, the
// Handover decision, the link shares combined into the chain link, and every vault taking it. All
// 8 vaults run in this process, one after another, every message through its wire encoding, on a
// manual clock: no network delays and no timeouts, so this is the work a Rekey costs.
// Baseline, sampled between the runs: the bare 7-party DKG alone (section-crypto.ts).
import { byRank } from '../node-core/engine/section/known-vaults.ts'
import { ELDER_COUNT } from '../node-core/section/rules/elders.ts'
import { MemorySection, testIdentity } from '../test/unit/engine/section/memory-section.ts'
import { runDkg } from './section-crypto.ts'
import { median } from './stats.ts'

const RUNS = Number(process.env.BENCH_SECTION_REKEY_RUNS ?? 3)

async function rekeyOnce (run: number): Promise<number> {
  const net = new MemorySection()
  const names = Array.from({ length: ELDER_COUNT + 1 }, (_, i) => net.add(testIdentity(`bench-rekey-${run}-${i}`)).self)
  const elders = byRank(names).slice(0, ELDER_COUNT)
  const shareless = elders[3] ?? ''
  // Its genesis run hears nobody and nobody hears it; its rekey requests are held back until the clock starts.
  let holding = true
  net.tamper = (from, to, message) => {
    const genesisDkg = (message.type === 'dkg-round' || message.type === 'dkg-share') && message.keying.from === undefined && (from === shareless || to === shareless)
    return genesisDkg || (holding && message.type === 'rekey-request') ? undefined : message
  }
  await net.connectAll()
  for (let tick = 0; net.node(shareless).membership === undefined; tick++) {
    if (tick === 60) throw new Error(`run ${run}: the section did not form`)
    await net.advance(1000)
  }
  const genesisKey = net.node(shareless).membership?.sectionKey
  if (net.node(shareless).isVotingElder) throw new Error(`run ${run}: the elder holds a share after all`)
  holding = false
  const t0 = performance.now()
  // Every step goes as soon as its messages arrive; the clock moves only to send the next request.
  for (let tick = 0; elders.some(name => !net.node(name).isVotingElder || net.node(name).membership?.sectionKey === genesisKey); tick++) {
    if (tick === 60) throw new Error(`run ${run}: no rekey after 60 s of the manual clock`)
    await net.advance(1000)
  }
  const elapsed = performance.now() - t0
  for (const node of net.nodes.values()) node.stop()
  return elapsed
}

export async function measureSectionRekey (): Promise<{ rekeyMs: number, dkgMs: number, dkgSamples: number }> {
  runDkg('warm-up') // noble builds its precomputed tables on first use
  const dkgTimes: number[] = []
  const rekeyTimes: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now()
    runDkg(`baseline-${run}`)
    dkgTimes.push(performance.now() - t0)
    rekeyTimes.push(await rekeyOnce(run))
  }
  return { rekeyMs: median(rekeyTimes), dkgMs: median(dkgTimes), dkgSamples: dkgTimes.length }
}

if (import.meta.main) {
  const f = await measureSectionRekey()
  console.log(`  rekey, 8 vaults in one process, one thread, manual clock:`)
  console.log(`    rekey, median of ${RUNS}                    ${f.rekeyMs.toFixed(0).padStart(6)} ms   ratio ${(f.rekeyMs / f.dkgMs).toFixed(1).padStart(5)}   rekey request -> Rekey -> DKG of the same 7 -> Handover -> link -> every elder voting on the new key`)
  console.log(`    baseline: the bare 7-party DKG ${f.dkgMs.toFixed(0)} ms (median of ${f.dkgSamples}, sampled between the runs above)`)
}
