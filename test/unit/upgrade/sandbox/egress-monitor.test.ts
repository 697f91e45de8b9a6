// The egress monitor as a unit: a real Node process with the monitor preloaded and a policy, no
// sandbox around it, so what gets through is the policy's doing alone. Traffic stays on loopback.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import { egressMonitorUrl, monitorEnv, readMonitorLines, type EgressPolicy } from '../../../../node-core/upgrade/sandbox/monitor-report.ts'

interface WatchedRun { attempts: EgressAttempt[], reports: unknown[], code: number | null, stderr: string }

describe('the egress monitor', () => {
  let dir = ''
  let work = ''
  let listener: Server
  let port = 0
  let connections = 0

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-monitor-'))
    work = join(dir, 'work')
    await mkdir(work)
    listener = createServer(socket => { connections++; socket.end() })
    await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve))
    const address = listener.address()
    assert.ok(address !== null && typeof address === 'object')
    port = address.port
  })
  after(async () => {
    listener.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** Runs `source` (an ES module that reports with `report(value)`) under the monitor with `policy`. */
  async function watched (name: string, source: string, policy: EgressPolicy): Promise<WatchedRun> {
    const file = join(dir, `${name}.mjs`)
    await writeFile(file, `const report = value => new Promise(resolve => process.send(value, resolve))\n${source}\nprocess.disconnect()\n`)
    const child = spawn(process.execPath, ['--import', egressMonitorUrl.href, file, String(port)], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', ...monitorEnv(policy, 4) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe']
    })
    const attempts: EgressAttempt[] = []
    const reports: unknown[] = []
    let stderr = ''
    const monitor = child.stdio[4]
    assert.ok(monitor !== null && monitor !== undefined && 'setEncoding' in monitor)
    readMonitorLines(monitor, attempt => { attempts.push(attempt) }, err => { throw err })
    child.stderr?.on('data', (data: Buffer) => { stderr += data.toString('utf8') })
    child.on('message', message => { reports.push(message) })
    const code = await new Promise<number | null>(resolve => child.once('close', resolve))
    return { attempts, reports, code, stderr }
  }

  const connectTo = (host: string): string => `
    import { connect } from 'node:net'
    const port = Number(process.argv[2])
    await report(await new Promise(resolve => {
      const socket = connect(port, '${host}')
      socket.on('connect', () => { socket.destroy(); resolve('connected') })
      socket.on('error', err => { resolve(err.code) })
    }))`

  it('lets a host the policy allows through and records it as allowed', async () => {
    const before = connections
    const run = await watched('allowed', connectTo('127.0.0.1'), { mode: 'sandbox', allowedHosts: ['127.0.0.1'], writableDirs: [work] })
    assert.deepEqual(run.reports, ['connected'], run.stderr)
    assert.deepEqual(run.attempts.map(({ kind, target, allowed }) => ({ kind, target, allowed })), [{ kind: 'net', target: `127.0.0.1:${port}`, allowed: true }])
    assert.equal(connections, before + 1)
  })

  it('blocks in-process what the policy does not allow, with the error the permission model would give', async () => {
    const before = connections
    const run = await watched('blocked', connectTo('127.0.0.1'), { mode: 'sandbox', allowedHosts: ['10.1.2.3'], writableDirs: [work] })
    assert.deepEqual(run.reports, ['ERR_ACCESS_DENIED'], run.stderr)
    assert.deepEqual(run.attempts.map(({ target, allowed }) => ({ target, allowed })), [{ target: `127.0.0.1:${port}`, allowed: false }])
    assert.equal(connections, before, 'the listener saw no connection')
  })

  it('in live mode allows exactly the peers learned through the network', async () => {
    const before = connections
    const run = await watched('live', `
      import net from 'node:net'
      const port = Number(process.argv[2])
      globalThis[Symbol.for('vault-manager.learned-peer-addresses')].add('127.0.0.1:' + port)
      const dial = port => new Promise(resolve => {
        const socket = net.createConnection({ host: '127.0.0.1', port })
        socket.on('connect', () => { socket.destroy(); resolve('connected') })
        socket.on('error', err => { resolve(err.code) })
      })
      await report([await dial(port), await dial(port === 1 ? 2 : 1)])`, { mode: 'live', allowedHosts: [], writableDirs: [work] })
    assert.deepEqual(run.reports, [['connected', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(run.attempts.map(attempt => attempt.allowed), [true, false])
    assert.equal(connections, before + 1)
  })

  it('in live mode allows workers (key grinding) but never a child process', async () => {
    const run = await watched('live-workers', `
      import { Worker } from 'node:worker_threads'
      import { execFileSync } from 'node:child_process'
      const worker = new Worker('require("node:worker_threads").parentPort.postMessage(42)', { eval: true })
      const answer = await new Promise(resolve => worker.once('message', resolve))
      let spawned
      try { execFileSync('true'); spawned = 'spawned' } catch (err) { spawned = err.code }
      await report([answer, spawned])`, { mode: 'live', allowedHosts: [], writableDirs: [work] })
    assert.deepEqual(run.reports, [[42, 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(run.attempts.map(({ kind, target, allowed }) => ({ kind, target, allowed })), [
      { kind: 'worker', target: '[eval]', allowed: true },
      { kind: 'child-process', target: 'true', allowed: false }
    ])
  })

  it('lets an engine connect to its own listening port but nowhere else on loopback', async () => {
    const run = await watched('own-port', `
      import { createServer, connect } from 'node:net'
      const server = createServer(socket => socket.end())
      await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
      const dial = port => new Promise(resolve => {
        const socket = connect(port, '127.0.0.1')
        socket.on('connect', () => { socket.destroy(); resolve('connected') })
        socket.on('error', err => { resolve(err.code) })
      })
      const own = await dial(server.address().port)
      const other = await dial(Number(process.argv[2]))
      server.close()
      await report([own, other])`, { mode: 'sandbox', allowedHosts: [], writableDirs: [work] })
    assert.deepEqual(run.reports, [['connected', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(run.attempts.map(attempt => attempt.allowed), [true, false])
  })

  it('records tls and https once, under their own kind', async () => {
    const run = await watched('tls', `
      import tls from 'node:tls'
      import https from 'node:https'
      const port = Number(process.argv[2])
      const viaTls = await new Promise(resolve => tls.connect({ host: '127.0.0.1', port }).on('error', err => resolve(err.code)))
      const viaHttps = await new Promise(resolve => https.get('https://127.0.0.1:' + port + '/beacon').on('error', err => resolve(err.code)))
      await report([viaTls, viaHttps])`, { mode: 'sandbox', allowedHosts: [], writableDirs: [work] })
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(run.attempts.map(({ kind, target }) => `${kind} ${target}`), [`tls 127.0.0.1:${port}`, `http 127.0.0.1:${port}`])
  })

  it('blocks writes outside the writable directories through streams, promises and renames, and ignores writes inside', async () => {
    const outside = join(dir, 'outside')
    const run = await watched('writes', `
      import fs from 'node:fs'
      import { writeFile, rename } from 'node:fs/promises'
      const outside = ${JSON.stringify(outside)}
      fs.writeFileSync('inside.txt', 'mine')
      const stream = await new Promise(resolve => fs.createWriteStream(outside + '-stream').on('error', err => resolve(err.code)))
      const promised = await writeFile(outside + '-promise', 'x').then(() => 'written', err => err.code)
      const renamed = await rename('inside.txt', outside + '-renamed').then(() => 'renamed', err => err.code)
      await report([stream, promised, renamed])`, { mode: 'sandbox', allowedHosts: [], writableDirs: [work] })
    assert.deepEqual(run.reports, [['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']], run.stderr)
    assert.deepEqual(run.attempts.map(({ kind, target, allowed }) => `${kind} ${target} ${String(allowed)}`), [
      `fs-write ${outside}-stream false`, `fs-write ${outside}-promise false`, `fs-write ${outside}-renamed false`
    ])
    for (const suffix of ['-stream', '-promise', '-renamed']) assert.equal(existsSync(outside + suffix), false, suffix)
    assert.equal(existsSync(join(work, 'inside.txt')), true)
  })

  it('refuses to let a program run without a valid policy', async () => {
    const file = join(dir, 'no-policy.mjs')
    await writeFile(file, 'process.exit(0)\n')
    const child = spawn(process.execPath, ['--import', egressMonitorUrl.href, file], { env: { PATH: process.env.PATH ?? '', VAULT_EGRESS_POLICY: '{"mode":"open"}' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (data: Buffer) => { stderr += data.toString('utf8') })
    const code = await new Promise<number | null>(resolve => child.once('close', resolve))
    assert.notEqual(code, 0)
    assert.match(stderr, /VAULT_EGRESS_POLICY/)
  })
})
