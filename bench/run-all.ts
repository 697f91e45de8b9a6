// `npm run bench`: each benchmark in its own process (clean memory, no cross-talk), each printing
// its figures beside a baseline measured in the same run.
import { spawnSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

const benches = ['chunk-throughput.ts', 'key-grinding.ts', 'local-network-scale.ts', 'release-verify.ts', 'section-agreement.ts', 'section-crypto.ts', 'section-handover.ts', 'section-rekey.ts', 'upgrade-shadow.ts', 'upgrade-switch.ts']
console.log(`Vault Manager benchmarks: Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB`)
let failed = 0
for (const bench of benches) {
  console.log(`\n${bench}`)
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL(bench, import.meta.url))], { stdio: 'inherit' })
  if (result.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
