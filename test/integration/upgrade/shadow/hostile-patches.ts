// The hostile candidates of issue 5's "done means": each is the real engine with one change, and
// each must fail its shadow run for its own reason. Phone-home targets are the test's own loopback
// listeners, baked into the change.
import type { VerdictReason } from '../../../../contract/upgrade.ts'
import type { SourcePatch } from '../../../helpers/engine-candidates.ts'

export interface HostileCandidate {
  label: string
  /** The critical reason its run must fail with. */
  expect: VerdictReason['code']
  /** Critical reasons that follow from the same change (a slower engine also serves less). */
  consequences?: Array<VerdictReason['code']>
  patch: SourcePatch
}

export interface PhoneHomeTargets {
  tcpPort: number
  httpPort: number
  udpPort: number
  dnsPort: number
  /** A path outside every sandbox, for the write attempt. */
  outsidePath: string
}

const ENGINE_MAIN = 'node-core/engine/engine-main.ts'
const CHUNK_SERVICE = 'node-core/engine/chunk-protocol/chunk-service.ts'
const MAIN_CALL = 'main().catch(fail)'
const ANSWER_SIGNATURE = 'async answerChunkRequest (request: ChunkRequest, body?: Uint8Array): Promise<ChunkAnswer> {'

/** Code run as the engine's entry module loads, beside its start: a candidate's extra "feature". */
function alongsideStart (label: string, code: string): SourcePatch {
  return { file: ENGINE_MAIN, find: MAIN_CALL, replace: `${MAIN_CALL}\n// hostile candidate "${label}"\n${code}\n` }
}

export function hostileCandidates (targets: PhoneHomeTargets): HostileCandidate[] {
  const connectBack = `require('node:net').connect(${targets.tcpPort}, '127.0.0.1').on('error', () => {})`
  return [
    {
      label: 'phone-home-net',
      expect: 'egress',
      patch: alongsideStart('phone-home-net', `void import('node:net').then(net => { net.connect(${targets.tcpPort}, '127.0.0.1').on('error', () => {}) })`)
    },
    {
      label: 'phone-home-http',
      expect: 'egress',
      patch: alongsideStart('phone-home-http', `void import('node:http').then(http => { http.get('http://127.0.0.1:${targets.httpPort}/phone-home').on('error', () => {}) })`)
    },
    {
      label: 'phone-home-dns',
      expect: 'egress',
      patch: alongsideStart('phone-home-dns', [
        "void import('node:dns').then(dns => {",
        '  const resolver = new dns.Resolver()',
        `  resolver.setServers(['127.0.0.1:${targets.dnsPort}'])`,
        "  resolver.resolve4('phone-home.vault.test', () => {})",
        '})'
      ].join('\n'))
    },
    {
      label: 'phone-home-dgram',
      expect: 'egress',
      patch: alongsideStart('phone-home-dgram', [
        "void import('node:dgram').then(dgram => {",
        "  const socket = dgram.createSocket('udp4')",
        "  socket.on('error', () => {})",
        `  socket.send('phone home', ${targets.udpPort}, '127.0.0.1', () => { socket.close() })`,
        '})'
      ].join('\n'))
    },
    {
      label: 'phone-home-child-process',
      expect: 'egress',
      patch: alongsideStart('phone-home-child-process', [
        "void import('node:child_process').then(childProcess => {",
        `  try { childProcess.spawn(process.execPath, ['-e', ${JSON.stringify(connectBack)}]).on('error', () => {}) } catch { /* denied */ }`,
        '})'
      ].join('\n'))
    },
    {
      label: 'phone-home-worker',
      expect: 'egress',
      patch: alongsideStart('phone-home-worker', [
        "void import('node:worker_threads').then(workers => {",
        `  try { new workers.Worker(${JSON.stringify(connectBack)}, { eval: true }).on('error', () => {}) } catch { /* denied */ }`,
        '})'
      ].join('\n'))
    },
    {
      label: 'write-outside',
      expect: 'write-outside-sandbox',
      patch: alongsideStart('write-outside', `void import('node:fs').then(fs => { try { fs.writeFileSync(${JSON.stringify(targets.outsidePath)}, 'was here') } catch { /* denied */ } })`)
    },
    {
      label: 'wrong-data',
      expect: 'wrong-data',
      patch: {
        file: CHUNK_SERVICE,
        find: "return { reply: { ok: true, op: 'get', found: true, size: data.length }, data }",
        replace: "data = Uint8Array.from(data); data[0] = (data[0] ?? 0) ^ 1\n        return { reply: { ok: true, op: 'get', found: true, size: data.length }, data }"
      }
    },
    {
      label: 'twice-as-slow',
      expect: 'slower',
      consequences: ['lower-throughput'],
      // Every answer waits as long again as it took: the same work, twice the time (timers round a
      // wait under 1 ms up to 1 ms, so the fastest answers slow a little more).
      patch: {
        file: CHUNK_SERVICE,
        find: ANSWER_SIGNATURE,
        replace: [
          'async answerChunkRequest (request: ChunkRequest, body?: Uint8Array): Promise<ChunkAnswer> {',
          '    const started = performance.now()',
          '    const answer = await this.answerChunkRequestOnce(request, body)',
          '    await new Promise(resolve => setTimeout(resolve, performance.now() - started))',
          '    return answer',
          '  }',
          '',
          '  async answerChunkRequestOnce (request: ChunkRequest, body?: Uint8Array): Promise<ChunkAnswer> {'
        ].join('\n')
      }
    },
    {
      label: 'memory-hog',
      expect: 'over-budget',
      patch: alongsideStart('memory-hog', [
        'const hoard: Buffer[] = []',
        'setInterval(() => { hoard.push(Buffer.alloc(32 * 1024 * 1024, 1)) }, 50)'
      ].join('\n'))
    },
    {
      label: 'crash-at-start',
      expect: 'crash',
      patch: { file: ENGINE_MAIN, find: MAIN_CALL, replace: "throw new Error('hostile candidate: crashes at start')" }
    },
    {
      label: 'hang',
      expect: 'hang',
      patch: { file: CHUNK_SERVICE, find: ANSWER_SIGNATURE, replace: `${ANSWER_SIGNATURE}\n    await new Promise(() => {})` }
    },
    {
      label: 'lose-identity',
      expect: 'lost-state',
      // A "migration" that re-keys the vault: it comes up under a new name, so its age goes too.
      patch: {
        file: 'node-core/engine/identity/identity-file.ts',
        find: "return file === undefined ? undefined : identityFromSeed(Uint8Array.from(Buffer.from(file.seed, 'hex')))",
        replace: 'return file === undefined ? undefined : identityFromSeed(crypto.getRandomValues(new Uint8Array(32)))'
      }
    },
    {
      label: 'lose-age',
      expect: 'lost-state',
      patch: { file: 'node-core/engine/vault.ts', find: 'get age (): number { return this.identity.age }', replace: 'get age (): number { return this.identity.age >> 1 }' }
    }
  ]
}
