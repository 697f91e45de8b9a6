// Benchmark: a switch's downtime (issue 5: the goal is under 2 s), from the live engine stopping
// to the new one ready on the live data, beside the baseline of the same engine stopped and
// started cold in the same run (what a switch would cost without the warm start). The live
// engine is the app's own, a real child process under the supervisor and the live egress
// monitor, joined to one in-process peer on loopback; the "new" engine is the same code in
// another directory, so only the switch is measured. Rounds interleave the two.
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createVault } from '../node-core/engine/vault.ts'
import { ENGINE_VERSION } from '../node-core/engine/version.ts'
import { EngineSupervisor } from '../node-core/host/engine-supervisor.ts'
import type { RunnableEngine } from '../node-core/upgrade/shadow/shadow-runner.ts'
import { EngineSwitcher } from '../node-core/upgrade/switch/engine-switcher.ts'
import { median } from './stats.ts'

const ROUNDS = Number(process.env.BENCH_SWITCH_ROUNDS ?? 5)
/** Short: the window's length is not downtime, the engine serves during it. */
const HEALTH_WINDOW_MS = 1000
const repo = fileURLToPath(new URL('../', import.meta.url))

function engineAt (rootDir: string, engineVersion: string): RunnableEngine {
  return { engineVersion, bundleSha256: null, rootDir, entry: join(rootDir, 'node-core', 'engine', 'engine-main.ts') }
}

export async function measureSwitchDowntime (): Promise<{ switchMs: number[], coldRestartMs: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-bench-switch-'))
  const peer = await createVault({ dataDir: join(dir, 'peer'), localNetwork: true })
  await peer.start()
  const copy = join(dir, 'candidate')
  for (const part of ['node-core', 'contract', 'package.json']) await cp(join(repo, part), join(copy, part), { recursive: true })
  await symlink(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const builtIn = engineAt(repo, ENGINE_VERSION)
  const candidate = engineAt(copy, `${ENGINE_VERSION}-bench`)

  const dataDir = join(dir, 'live')
  const supervisor = new EngineSupervisor({
    config: () => ({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: peer.multiaddrs().map(String), capacityBytes: 64 * 1024 * 1024, localNetwork: true, paused: false }),
    entry: builtIn.entry,
    rootDir: builtIn.rootDir
  })
  await supervisor.start()
  const switcher = new EngineSwitcher({ supervisor }, { dataDir, current: builtIn, healthWindowMs: HEALTH_WINDOW_MS })
  const switchMs: number[] = []
  const coldRestartMs: number[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now()
      await supervisor.stop()
      await supervisor.start()
      coldRestartMs.push(performance.now() - started)

      const outcome = await switcher.switchTo(candidate)
      if (outcome.kind !== 'switched' || outcome.downtimeMs === null) throw new Error(`the switch did not take: ${outcome.reasons.map(reason => reason.message).join(' ')}`)
      switchMs.push(outcome.downtimeMs)
      const back = await switcher.rollback()
      if (!back.running) throw new Error(`the rollback left no engine running: ${back.reasons.map(reason => reason.message).join(' ')}`)
    }
  } finally {
    await switcher.stop()
    await supervisor.stop()
    await peer.stop()
    await rm(dir, { recursive: true, force: true })
  }
  return { switchMs, coldRestartMs }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { switchMs, coldRestartMs } = await measureSwitchDowntime()
  const [switchMedian, coldMedian] = [median(switchMs), median(coldRestartMs)]
  const round = (values: number[]): string => values.map(value => Math.round(value)).join(', ')
  console.log(`  switch downtime (warm start), ${ROUNDS} rounds: median ${Math.round(switchMedian)} ms  [${round(switchMs)}]  (goal < 2000 ms)`)
  console.log(`  baseline: stop + cold start of the same engine: median ${Math.round(coldMedian)} ms  [${round(coldRestartMs)}]`)
  console.log(`  ratio switch / cold restart: ${(switchMedian / coldMedian).toFixed(2)}`)
}
