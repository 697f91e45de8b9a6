// Hostile programs in the sandbox (issue 5, deliver 1), each trying one way out against listeners
// this test owns on loopback: each attempt must be recorded and blocked, and nothing may arrive.
// Real processes, real namespaces, real permission model; only loopback traffic.
import assert from 'node:assert/strict'
import { createSocket, type Socket as DatagramSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EgressAttempt, IsolationLayer } from '../../../../contract/upgrade.ts'
import { probeIsolation } from '../../../../node-core/upgrade/sandbox/isolation.ts'
import { startSandbox, type SandboxedEngine, type SandboxExit, type SandboxOptions } from '../../../../node-core/upgrade/sandbox/sandbox.ts'
import type { BudgetBreach } from '../../../../node-core/upgrade/sandbox/watchdog.ts'

const MIB = 1024 * 1024
const GENEROUS = { cpuMs: 60_000, memoryBytes: 512 * MIB }

interface HostileRun {
  sandbox: SandboxedEngine
  reports: unknown[]
  exit: SandboxExit
  breaches: BudgetBreach[]
  stderr: string
}

const bound = async (socket: DatagramSocket): Promise<number> => await new Promise(resolve => socket.bind(0, '127.0.0.1', () => { resolve(socket.address().port) }))

describe('a program in the sandbox', () => {
  let dir = ''
  let root = ''
  let namespaces = false
  const seen = { tcp: 0, datagrams: 0, dnsQueries: 0 }
  let listener: Server
  let sink: DatagramSocket
  let dnsServer: DatagramSocket
  const ports = { tcp: 0, udp: 0, dns: 0 }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-'))
    root = join(dir, 'engine')
    await mkdir(root)
    namespaces = (await probeIsolation()).networkNamespace.available
    listener = createServer(socket => { seen.tcp++; socket.destroy() })
    await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve))
    const address = listener.address()
    assert.ok(address !== null && typeof address === 'object')
    ports.tcp = address.port
    sink = createSocket('udp4').on('message', () => { seen.datagrams++ })
    ports.udp = await bound(sink)
    dnsServer = createSocket('udp4').on('message', () => { seen.dnsQueries++ })
    ports.dns = await bound(dnsServer)
  })
  after(async () => {
    listener.close()
    sink.close()
    dnsServer.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** Runs `source` (an ES module; `report(value)` sends to the test, `ports` are the test's listeners) to its end. */
  async function hostile (name: string, source: string, options: Partial<SandboxOptions> = {}): Promise<HostileRun> {
    const entry = join(root, `${name}.mjs`)
    const workDir = join(dir, `work-${name}`)
    await mkdir(workDir)
    await writeFile(entry, `const report = value => new Promise(resolve => process.send(value, resolve))
const ports = JSON.parse(process.argv[2])
${source}
process.exit(0)
`)
    const sandbox = await startSandbox({ entry, args: [JSON.stringify(ports)], rootDir: root, workDir, budgets: GENEROUS, ...options })
    const reports: unknown[] = []
    const breaches: BudgetBreach[] = []
    let stderr = ''
    sandbox.child.on('message', message => { reports.push(message) })
    sandbox.child.stderr?.on('data', (data: Buffer) => { stderr += data.toString('utf8') })
    sandbox.addEventListener('sandbox:budget', event => { breaches.push(event.detail) })
    const exit = await sandbox.exited
    return { sandbox, reports, exit, breaches, stderr }
  }

  const brief = (attempts: EgressAttempt[]): string[] => attempts.map(({ kind, target, allowed }) => `${kind} ${target} ${allowed ? 'allowed' : 'blocked'}`)
  const layer = (isolation: IsolationLayer[], name: IsolationLayer['layer']): IsolationLayer | undefined => isolation.find(row => row.layer === name)

  it('reports every layer it applied', async () => {
    const run = await hostile('quiet', 'await report(process.permission.has("fs.read", process.cwd()))')
    assert.deepEqual(run.exit, { code: 0, signal: null }, run.stderr)
    assert.deepEqual(run.sandbox.isolation.map(row => [row.layer, row.active]), [
      ['network-namespace', namespaces], ['permission-model', true], ['egress-monitor', true], ['environment-allow-list', true], ['resource-budgets', true]
    ])
    assert.deepEqual(run.reports, [true])
    assert.deepEqual(run.sandbox.attempts(), [])
  })

  it('(a) net: records and blocks a connection; the listener sees nothing', async () => {
    const run = await hostile('net', `
      import { connect } from 'node:net'
      await report(await new Promise(resolve => connect(ports.tcp, '127.0.0.1').on('error', err => resolve(err.code)).on('connect', () => resolve('connected'))))`)
    assert.deepEqual(run.reports, ['ERR_ACCESS_DENIED'], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [`net 127.0.0.1:${ports.tcp} blocked`])
    assert.equal(seen.tcp, 0)
  })

  it('(b) http: records and blocks a request', async () => {
    const run = await hostile('http', `
      import http from 'node:http'
      await report(await new Promise(resolve => http.get('http://127.0.0.1:' + ports.tcp + '/phone-home').on('error', err => resolve(err.code)).on('response', () => resolve('answered'))))`)
    assert.deepEqual(run.reports, ['ERR_ACCESS_DENIED'], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [`http 127.0.0.1:${ports.tcp} blocked`])
    assert.equal(seen.tcp, 0)
  })

  it('(c) dns: records and blocks a query to its own server and a lookup, before any query is sent', async () => {
    const run = await hostile('dns', `
      import dns from 'node:dns'
      const resolver = new dns.promises.Resolver({ timeout: 500, tries: 1 })
      resolver.setServers(['127.0.0.1:' + ports.dns])
      const viaServer = await resolver.resolve4('phone-home.invalid').then(() => 'resolved', err => err.code)
      const looked = await new Promise(resolve => dns.lookup('localhost', err => resolve(err?.code ?? 'resolved')))
      await report([viaServer, looked])`)
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [`dns phone-home.invalid via 127.0.0.1:${ports.dns} blocked`, 'dns localhost blocked'])
    assert.equal(seen.dnsQueries, 0)
  })

  it('(d) dgram: records and blocks a datagram; the socket receives nothing', async () => {
    const run = await hostile('dgram', `
      import { createSocket } from 'node:dgram'
      const socket = createSocket('udp4')
      await report(await new Promise(resolve => socket.send('phone home', ports.udp, '127.0.0.1', err => resolve(err?.code ?? 'sent'))))
      socket.close()`)
    assert.deepEqual(run.reports, ['ERR_ACCESS_DENIED'], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [`dgram 127.0.0.1:${ports.udp} blocked`])
    assert.equal(seen.datagrams, 0)
  })

  it('(e) child process: records it, and the permission model forbids it too', async () => {
    const run = await hostile('spawn', `
      import { spawn } from 'node:child_process'
      let outcome
      try { spawn('true'); outcome = 'spawned' } catch (err) { outcome = err.code }
      await report([outcome, process.permission.has('child')])`)
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', false]], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), ['child-process true blocked'])
  })

  it('(f) worker: records it, and the permission model forbids it too', async () => {
    const run = await hostile('worker', `
      import { Worker } from 'node:worker_threads'
      let outcome
      try { new Worker('setInterval(() => {}, 1000)', { eval: true }); outcome = 'started' } catch (err) { outcome = err.code }
      await report([outcome, process.permission.has('worker')])`)
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', false]], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), ['worker [eval] blocked'])
  })

  it('(g) a write outside its directory: recorded, refused, and the file is not there', async () => {
    const outside = join(dir, 'written-from-the-sandbox')
    const run = await hostile('write', `
      import { writeFileSync } from 'node:fs'
      let outcome
      try { writeFileSync(${JSON.stringify(outside)}, 'phone home'); outcome = 'written' } catch (err) { outcome = err.code }
      writeFileSync('mine.txt', 'allowed')
      await report([outcome, process.permission.has('fs.write', ${JSON.stringify(outside)}), process.permission.has('fs.write', process.cwd())])`)
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', false, true]], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [`fs-write ${outside} blocked`])
    assert.equal(existsSync(outside), false)
    assert.equal(existsSync(join(dir, 'work-write', 'mine.txt')), true)
  })

  it('(h) memory past its budget: killed, with the memory budget named', async () => {
    const budget = 192 * MIB
    const run = await hostile('memory', `
      await report(process.memoryUsage().rss)
      const hoard = []
      while (hoard.length < 128) {
        hoard.push(Buffer.alloc(16 * 1024 * 1024, 1))
        await new Promise(resolve => setImmediate(resolve))
      }
      await report('survived')`, { budgets: { cpuMs: 60_000, memoryBytes: budget } })
    assert.equal(run.reports.length, 1, `it started under budget, then was stopped: ${JSON.stringify(run.reports)}`)
    assert.ok(Number(run.reports[0]) < budget, 'it started under its budget')
    assert.equal(run.exit.signal, 'SIGKILL')
    assert.equal(run.breaches.length, 1)
    assert.deepEqual({ ...run.breaches[0], use: undefined }, { budget: 'memory', limit: budget, use: undefined, enforcedBy: 'watchdog' })
    assert.ok((run.breaches[0]?.use ?? 0) > budget)
    assert.equal(run.sandbox.overBudgetBy?.budget, 'memory')
  })

  it('(h, fallback) without /proc, the heap cap set from the memory budget still stops a hoarder, and is named', async () => {
    const budget = 96 * MIB
    const run = await hostile('heap', `
      await report('hoarding')
      const hoard = []
      for (;;) hoard.push(new Array(1024 * 1024).fill({ phone: 'home' }))`, { budgets: { cpuMs: 60_000, memoryBytes: budget }, disable: { 'resource-budgets': 'the test checks the heap cap' } })
    assert.deepEqual(run.reports, ['hoarding'], run.stderr)
    assert.notEqual(run.exit.code, 0)
    assert.deepEqual(run.breaches.map(breach => [breach.budget, breach.limit, breach.enforcedBy]), [['memory', budget, 'heap-limit']], JSON.stringify(run.exit) + run.stderr)
    assert.equal(run.sandbox.isolation.find(row => row.layer === 'resource-budgets')?.active, false)
  })

  it('(i) a busy loop past its CPU budget: killed, with the CPU budget named, within 2 s of CPU past it', async () => {
    const run = await hostile('cpu', `
      await report('spinning')
      for (;;) {}`, { budgets: { cpuMs: 1000, memoryBytes: 512 * MIB } })
    assert.deepEqual(run.reports, ['spinning'], run.stderr)
    assert.equal(run.exit.signal, 'SIGKILL')
    assert.equal(run.breaches.length, 1)
    const breach = run.breaches[0]
    assert.ok(breach !== undefined)
    assert.equal(breach.budget, 'cpu')
    assert.equal(breach.limit, 1000)
    assert.ok(breach.use > 1000 && breach.use < 3000, `used ${breach.use} ms`)
    assert.ok(run.sandbox.usage().cpuMs >= breach.use)
  })

  it('(j) without the network namespace, the monitor alone still records and blocks every way out', async () => {
    const run = await hostile('no-namespace', `
      import { connect } from 'node:net'
      import http from 'node:http'
      import { Resolver } from 'node:dns/promises'
      import { createSocket } from 'node:dgram'
      const net = await new Promise(resolve => connect(ports.tcp, '127.0.0.1').on('error', err => resolve(err.code)).on('connect', () => resolve('connected')))
      const web = await new Promise(resolve => http.get('http://127.0.0.1:' + ports.tcp + '/').on('error', err => resolve(err.code)).on('response', () => resolve('answered')))
      const resolver = new Resolver({ timeout: 500, tries: 1 })
      resolver.setServers(['127.0.0.1:' + ports.dns])
      const dns = await resolver.resolveTxt('phone-home.invalid').then(() => 'resolved', err => err.code)
      const socket = createSocket('udp4')
      const datagram = await new Promise(resolve => socket.send('phone home', ports.udp, '127.0.0.1', err => resolve(err?.code ?? 'sent')))
      socket.close()
      await report([net, web, dns, datagram])`, { disable: { 'network-namespace': 'the test checks the fallback' } })
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(brief(run.sandbox.attempts()), [
      `net 127.0.0.1:${ports.tcp} blocked`, `http 127.0.0.1:${ports.tcp} blocked`,
      `dns phone-home.invalid via 127.0.0.1:${ports.dns} blocked`, `dgram 127.0.0.1:${ports.udp} blocked`
    ])
    assert.deepEqual(seen, { tcp: 0, datagrams: 0, dnsQueries: 0 })
    assert.deepEqual(layer(run.sandbox.isolation, 'network-namespace'), { layer: 'network-namespace', active: false, detail: 'disabled: the test checks the fallback' })
    assert.equal(layer(run.sandbox.isolation, 'egress-monitor')?.active, true)
  })

  it('passes only the allowed environment', async () => {
    process.env.VAULT_TEST_HOST_SECRET = 'never in the sandbox'
    try {
      const run = await hostile('env', 'await report(Object.keys(process.env).sort())', { env: { VAULT_ENGINE_CONFIG: '{}' } })
      const keys = run.reports[0]
      assert.ok(Array.isArray(keys), run.stderr)
      const expected = ['PATH', 'LANG', 'TZ'].filter(key => process.env[key] !== undefined)
      assert.deepEqual(keys.filter(key => !String(key).startsWith('NODE_CHANNEL_')), [...expected, 'VAULT_EGRESS_POLICY', 'VAULT_ENGINE_CONFIG', 'VAULT_MONITOR_FD'].sort())
    } finally {
      delete process.env.VAULT_TEST_HOST_SECRET
    }
  })

  it('stops when its signal aborts', async () => {
    const entry = join(root, 'waits.mjs')
    const workDir = join(dir, 'work-waits')
    await mkdir(workDir)
    await writeFile(entry, 'process.send("waiting"); setInterval(() => {}, 1000)\n')
    const controller = new AbortController()
    const sandbox = await startSandbox({ entry, rootDir: root, workDir, budgets: GENEROUS, signal: controller.signal })
    await new Promise(resolve => sandbox.child.once('message', resolve))
    controller.abort()
    assert.deepEqual(await sandbox.exited, { code: null, signal: 'SIGTERM' })
  })
})
