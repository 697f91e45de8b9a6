// Benchmark: a client's full check of a release with a 10 MiB bundle (TUF refresh from a fresh
// trusted root, download, length and hash, attestations from 2 of 3 pinned builders), median of
// 5 runs, beside the baseline of one SHA-256 over the same 10 MiB in this process.
import { createHash, randomBytes } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { attestBundle } from '../node-core/release/attestations.ts'
import { generateReleaseKey } from '../node-core/release/keys.ts'
import { DirectorySource } from '../node-core/release/release-source.ts'
import { addTarget, initRepository, publishRelease, signRole } from '../node-core/release/repository.ts'
import { verifyRelease } from '../node-core/release/verify-release.ts'
import { median } from './stats.ts'

const RUNS = Number(process.env.BENCH_RELEASE_RUNS ?? 5)
const BUNDLE_BYTES = 10 * 1024 * 1024

export async function measureReleaseVerify (): Promise<{ medianMs: number, baselineMs: number, runsMs: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-bench-release-'))
  try {
    const { repository: repo, keys } = await initRepository({
      dir: join(dir, 'repo'), keysDir: join(dir, 'keys'),
      roles: { root: { n: 3, k: 2 }, targets: { n: 3, k: 2 }, snapshot: { n: 1, k: 1 }, timestamp: { n: 1, k: 1 } }
    })
    const bundle = randomBytes(BUNDLE_BYTES)
    const bundlePath = join(dir, 'vault-engine-1.0.0.tar')
    await writeFile(bundlePath, bundle)
    const builders = ['alice', 'bob', 'carol'].map(name => generateReleaseKey(`builder ${name}`))
    const attestations = await Promise.all(builders.slice(0, 2).map(async key => await attestBundle(bundlePath, '1.0.0', key)))
    await addTarget(repo, {
      bundlePath,
      release: {
        engineVersion: '1.0.0', protocols: [{ id: '/vault/chunk', version: '1.0.0' }], eras: [1], dataFormatVersion: 1,
        rollout: { seed: randomBytes(32).toString('hex'), start: '2026-01-01T00:00:00Z', durationSeconds: 7 * 24 * 3600 }
      },
      attestations
    })
    signRole(repo, 'targets', keys.targets.slice(0, 2))
    const outDir = join(dir, 'publication')
    await publishRelease(repo, { outDir, keys: [...keys.snapshot, ...keys.timestamp] })

    const runsMs: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const clientDir = join(dir, `client-${run}`)
      await mkdir(clientDir)
      await copyFile(join(outDir, '1.root.json'), join(clientDir, 'root.json'))
      const started = performance.now()
      const verdict = await verifyRelease({ trustedDir: clientDir, source: new DirectorySource(outDir), pinnedBuilders: { threshold: 2, keys: builders } })
      runsMs.push(performance.now() - started)
      if (verdict.verdict !== 'verified') throw new Error(`the release did not verify: ${verdict.reasons.join('; ')}`)
    }
    const baselines: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now()
      createHash('sha256').update(bundle).digest()
      baselines.push(performance.now() - started)
    }
    return { medianMs: median(runsMs), baselineMs: median(baselines), runsMs }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const result = await measureReleaseVerify()
  console.log(`  release verification, ${BUNDLE_BYTES / 1024 ** 2} MiB bundle, fresh client (TUF refresh, download, hashes, 2-of-3 attestations), ${RUNS} runs:`)
  console.log(`    median ${result.medianMs.toFixed(1)} ms (runs ${result.runsMs.map(ms => ms.toFixed(0)).join(', ')})`)
  console.log(`    baseline: SHA-256 of the same ${BUNDLE_BYTES / 1024 ** 2} MiB ${result.baselineMs.toFixed(1)} ms   ratio median/baseline ${(result.medianMs / result.baselineMs).toFixed(1)}`)
}
