// The egress monitor (DESIGN §3.5 and §3.8), loaded with `node --import` before the engine: every
// attempt to reach outside (a connection, a lookup, a datagram, a child process, a worker, a write
// outside the writable directories) is written as one JSON line to the descriptor in
// VAULT_MONITOR_FD, and blocked in-process when the policy in VAULT_EGRESS_POLICY does not allow it.
// It is the report, not the wall: the network namespace and the permission model are the wall.
// One file importing only `node:` builtins, so under the permission model only it must be readable;
// monitor-report.ts validates the lines on the host's side.
import childProcess from 'node:child_process'
import dgram from 'node:dgram'
import dns from 'node:dns'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { resolve, sep } from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import workerThreads from 'node:worker_threads'
import type { EgressAttempt } from '../../../contract/upgrade.ts'
import type { EgressPolicy } from './monitor-report.ts'

type Kind = EgressAttempt['kind']
type Wrapped = (this: unknown, ...args: unknown[]) => unknown

const now = Date.now
const policy = readPolicy(process.env.VAULT_EGRESS_POLICY)
const monitorFd = Number.parseInt(process.env.VAULT_MONITOR_FD ?? '', 10)
const writableDirs = policy.writableDirs.map(dir => resolve(dir))
const allowedHosts = new Set(policy.allowedHosts.map(host => host.toLowerCase()))
const ownPorts = new Set<number>()
const customResolvers = new WeakSet<object>()
let defaultServersSet = false
/** The decision of the attempt being handled: the calls it makes synchronously are part of it. */
let handling: boolean | undefined

function readPolicy (raw: string | undefined): EgressPolicy {
  let value: unknown
  try {
    value = JSON.parse(raw ?? 'null')
  } catch {
    value = undefined
  }
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every(item => typeof item === 'string')
  if (typeof value === 'object' && value !== null && 'mode' in value && (value.mode === 'sandbox' || value.mode === 'live') &&
    'allowedHosts' in value && strings(value.allowedHosts) && 'writableDirs' in value && strings(value.writableDirs)) {
    return { mode: value.mode, allowedHosts: value.allowedHosts, writableDirs: value.writableDirs }
  }
  // Fail closed: an engine whose monitor cannot know the policy must not run.
  throw new TypeError(`vault egress monitor: "VAULT_EGRESS_POLICY" expected {mode, allowedHosts, writableDirs}, got ${String(raw)}`)
}

function record (kind: Kind, target: string, allowed: boolean): void {
  if (!Number.isInteger(monitorFd)) return
  const line = Buffer.from(JSON.stringify({ kind, target, allowed, at: now() }) + '\n')
  let written = 0
  while (written < line.length) {
    try {
      written += fs.writeSync(monitorFd, line, written)
    } catch (err) {
      // The host reads continuously; a full pipe drains. A closed one leaves only the blocking.
      if (err instanceof Error && 'code' in err && err.code === 'EAGAIN') continue
      return
    }
  }
}

function denied (kind: Kind, target: string): Error {
  return Object.assign(new Error(`vault egress monitor: ${kind} to ${target} is not allowed (${policy.mode} mode)`), { code: 'ERR_ACCESS_DENIED', kind, target })
}

/** Records an attempt, unless it is part of one already recorded; returns whether it may proceed. */
function check (kind: Kind, target: string, allowed: () => boolean): boolean {
  if (handling !== undefined) return handling
  const decision = allowed()
  record(kind, target, decision)
  return decision
}

function within<T> (allowed: boolean, call: () => T): T {
  const outer = handling
  handling = allowed
  try {
    return call()
  } finally {
    handling = outer
  }
}

function bareHost (host: string): string {
  const lower = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
  return lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower
}

function hostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

function isLoopbackOrAny (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '::' || host === '0.0.0.0' || host === '' || /^127\./.test(host)
}

function learnedPeers (): Set<unknown> {
  const key = Symbol.for('vault-manager.learned-peer-addresses')
  const existing: unknown = Reflect.get(globalThis, key)
  if (existing instanceof Set) return existing
  const created = new Set<unknown>()
  Reflect.set(globalThis, key, created)
  return created
}

function mayConnect (rawHost: string, port: number): boolean {
  const host = bareHost(rawHost)
  if (ownPorts.has(port) && isLoopbackOrAny(host)) return true
  if (allowedHosts.has(host) || allowedHosts.has(hostPort(host, port))) return true
  return policy.mode === 'live' && learnedPeers().has(hostPort(host, port))
}

function mayResolve (rawName: string): boolean {
  const name = bareHost(rawName)
  if (allowedHosts.has(name)) return true
  if (policy.mode !== 'live') return false
  for (const address of learnedPeers()) {
    if (typeof address === 'string' && bareHost(address.slice(0, address.lastIndexOf(':'))) === name) return true
  }
  return false
}

function isFunction (value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === 'function'
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function patch (owner: object, key: string, make: (original: Wrapped) => Wrapped): void {
  const original: unknown = Reflect.get(owner, key)
  if (!isFunction(original)) return
  // Fail closed: an engine the monitor cannot watch must not run.
  if (!Reflect.set(owner, key, make(original))) throw new TypeError(`vault egress monitor: cannot watch ${key}`)
}

function later (call: () => void): void {
  process.nextTick(call)
}

// --- sockets: net (and everything built on it: tls, http, libp2p's TCP, fetch) ---

function socketTarget (args: unknown[]): string {
  // net.connect passes its normalized arguments as one array.
  const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (isRecord(first)) {
    if (typeof first.path === 'string') return first.path
    return hostPort(bareHost(typeof first.host === 'string' ? first.host : 'localhost'), Number(first.port))
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first
  return hostPort(bareHost(typeof args[1] === 'string' ? args[1] : 'localhost'), Number(first))
}

function mayReach (target: string): boolean {
  const separator = target.lastIndexOf(':')
  // A Unix socket path (no port) is a door out of any network namespace.
  return separator > 0 && /^\d+$/.test(target.slice(separator + 1)) && mayConnect(target.slice(0, separator), Number(target.slice(separator + 1)))
}

function refuseSocket (socket: net.Socket, error: Error): void {
  later(() => socket.destroy(error))
}

/** Connecting to its own listening port is the engine talking to itself. */
function rememberListening (server: net.Server | dgram.Socket): void {
  server.once('listening', () => { const address = server.address(); if (isRecord(address)) ownPorts.add(Number(address.port)) })
}

patch(net.Socket.prototype, 'connect', original => function (this: unknown, ...args: unknown[]) {
  const target = socketTarget(args)
  if (check('net', target, () => mayReach(target)) || !(this instanceof net.Socket)) return within(true, () => Reflect.apply(original, this, args))
  refuseSocket(this, denied('net', target))
  return this
})

patch(net.Server.prototype, 'listen', original => function (this: unknown, ...args: unknown[]) {
  if (this instanceof net.Server) rememberListening(this)
  return Reflect.apply(original, this, args)
})

patch(tls, 'connect', original => function (this: unknown, ...args: unknown[]) {
  if (isRecord(args[0]) && args[0].socket !== undefined) return Reflect.apply(original, this, args)
  const target = socketTarget(args)
  return within(check('tls', target, () => mayReach(target)), () => Reflect.apply(original, this, args))
})

function httpTarget (args: unknown[], defaultPort: number): string {
  let host = 'localhost'
  let port = defaultPort
  const apply = (options: Record<string, unknown>): void => {
    const name = options.hostname ?? options.host
    if (typeof name === 'string') host = name
    if (options.port !== undefined && options.port !== null && options.port !== '') port = Number(options.port)
  }
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    const url = new URL(args[0])
    host = url.hostname
    port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    if (isRecord(args[1]) && !isFunction(args[1])) apply(args[1])
  } else if (isRecord(args[0])) {
    if (typeof args[0].socketPath === 'string') return args[0].socketPath
    apply(args[0])
  }
  return hostPort(bareHost(host), port)
}

for (const [module, defaultPort] of [[http, 80], [https, 443]] as const) {
  for (const key of ['request', 'get']) {
    patch(module, key, original => function (this: unknown, ...args: unknown[]) {
      const target = httpTarget(args, defaultPort)
      // The request is still made, so it fails the way the real one would: its socket errors.
      return within(check('http', target, () => mayReach(target)), () => Reflect.apply(original, this, args))
    })
  }
}

patch(globalThis, 'fetch', original => function (this: unknown, ...args: unknown[]) {
  const input = args[0]
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : isRecord(input) && typeof input.url === 'string' ? input.url : String(input))
  const target = hostPort(bareHost(url.hostname), url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port))
  if (check('http', target, () => mayReach(target))) return within(true, () => Reflect.apply(original, this, args))
  return Promise.reject(new TypeError('fetch failed', { cause: denied('http', target) }))
})

// --- DNS: the callback and promise APIs, their default resolver and every dns.Resolver ---

const RESOLVE_METHODS = [
  'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr',
  'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTlsa', 'resolveTxt', 'reverse', 'lookup', 'lookupService'
]

function serversOf (self: unknown, module: object): string {
  const getServers: unknown = isRecord(self) && customResolvers.has(self) ? Reflect.get(self, 'getServers') : defaultServersSet ? Reflect.get(module, 'getServers') : undefined
  if (!isFunction(getServers)) return ''
  const servers: unknown = Reflect.apply(getServers, self, [])
  return Array.isArray(servers) ? ` via ${servers.join(',')}` : ''
}

function patchDns (owner: object, module: object, promises: boolean): void {
  for (const key of RESOLVE_METHODS) {
    patch(owner, key, original => function (this: unknown, ...args: unknown[]) {
      const name = typeof args[0] === 'string' ? args[0] : String(args[0])
      // A literal address is answered in-process, without a query.
      if (key === 'lookup' && net.isIP(name) !== 0) return Reflect.apply(original, this, args)
      const target = key === 'lookupService' ? `${name}:${String(args[1])}` : `${name}${serversOf(this, module)}`
      if (check('dns', target, () => mayResolve(name))) return within(true, () => Reflect.apply(original, this, args))
      const error = denied('dns', target)
      if (promises) return Promise.reject(error)
      const callback = args.findLast(isFunction)
      if (callback === undefined) throw error
      later(() => callback(error))
      return undefined
    })
  }
  patch(owner, 'setServers', original => function (this: unknown, ...args: unknown[]) {
    if (owner === module) defaultServersSet = true
    else if (isRecord(this)) customResolvers.add(this)
    return Reflect.apply(original, this, args)
  })
}

patchDns(dns, dns, false)
patchDns(dns.Resolver.prototype, dns, false)
patchDns(dns.promises, dns.promises, true)
patchDns(dns.promises.Resolver.prototype, dns.promises, true)

// --- datagrams ---

function datagramTarget (args: unknown[]): string | undefined {
  // send(msg, offset, length, port, address, cb) or send(msg, port, address, cb); none when connected.
  const withOffset = (args[3] !== undefined && !isFunction(args[3])) || typeof args[4] === 'string'
  const port = withOffset ? args[3] : args[1]
  const address = withOffset ? args[4] : args[2]
  if (port === undefined || isFunction(port)) return undefined
  return hostPort(bareHost(typeof address === 'string' ? address : 'localhost'), Number(port))
}

/** A connected socket's peer was checked when it connected. */
function connected (socket: unknown): boolean {
  if (!(socket instanceof dgram.Socket)) return false
  try {
    socket.remoteAddress()
    return true
  } catch {
    return false
  }
}

function refuseDatagram (socket: unknown, error: Error, callback: ((...args: unknown[]) => unknown) | undefined): void {
  if (callback !== undefined) later(() => callback(error))
  else if (socket instanceof dgram.Socket) later(() => socket.emit('error', error))
}

patch(dgram.Socket.prototype, 'send', original => function (this: unknown, ...args: unknown[]) {
  const target = connected(this) ? undefined : datagramTarget(args)
  if (target === undefined || check('dgram', target, () => mayReach(target))) return within(true, () => Reflect.apply(original, this, args))
  refuseDatagram(this, denied('dgram', target), args.findLast(isFunction))
  return undefined
})

patch(dgram.Socket.prototype, 'connect', original => function (this: unknown, ...args: unknown[]) {
  const target = hostPort(bareHost(typeof args[1] === 'string' ? args[1] : 'localhost'), Number(args[0]))
  if (check('dgram', target, () => mayReach(target))) return within(true, () => Reflect.apply(original, this, args))
  refuseDatagram(this, denied('dgram', target), undefined)
  return undefined
})

patch(dgram.Socket.prototype, 'bind', original => function (this: unknown, ...args: unknown[]) {
  if (this instanceof dgram.Socket) rememberListening(this)
  return Reflect.apply(original, this, args)
})

// --- child processes and workers ---

for (const key of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync']) {
  patch(childProcess, key, original => function (this: unknown, ...args: unknown[]) {
    const command = [String(args[0]), ...(Array.isArray(args[1]) ? args[1].map(String) : [])].join(' ')
    const target = key.startsWith('fork') ? `fork ${command}` : command
    // The engine never spawns, live or not (DESIGN §3.5).
    if (check('child-process', target, () => false)) return within(true, () => Reflect.apply(original, this, args))
    throw denied('child-process', target)
  })
}

const OriginalWorker = workerThreads.Worker
class MonitoredWorker extends OriginalWorker {
  constructor (filename: string | URL, options?: workerThreads.WorkerOptions) {
    const target = options?.eval === true ? '[eval]' : String(filename)
    // Key grinding runs in workers; a shadow run has its identity already.
    if (!check('worker', target, () => policy.mode === 'live')) throw denied('worker', target)
    super(filename, options)
  }
}
if (!Reflect.set(workerThreads, 'Worker', MonitoredWorker)) throw new TypeError('vault egress monitor: cannot watch Worker')

// --- writes outside the writable directories (only those are attempts; writes inside are the engine's work) ---

function pathOf (value: unknown): string | undefined {
  if (typeof value === 'string') return resolve(value)
  if (Buffer.isBuffer(value)) return resolve(value.toString('utf8'))
  if (value instanceof URL && value.protocol === 'file:') return fileURLToPath(value)
  return undefined
}

function writable (path: string): boolean {
  return writableDirs.some(dir => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep))
}

function opensForWrite (flags: unknown): boolean {
  const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants
  if (typeof flags === 'number') return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) !== 0
  return typeof flags === 'string' && /[wa+]/.test(flags)
}

/** Each writing function and the arguments that name what it writes. */
const FS_WRITERS: Array<[string, number[]]> = [
  ['open', [0]], ['writeFile', [0]], ['appendFile', [0]], ['mkdir', [0]], ['mkdtemp', [0]], ['rename', [0, 1]], ['rm', [0]],
  ['rmdir', [0]], ['unlink', [0]], ['copyFile', [1]], ['cp', [1]], ['symlink', [1]], ['link', [1]], ['truncate', [0]],
  ['chmod', [0]], ['chown', [0]], ['lchown', [0]], ['utimes', [0]], ['lutimes', [0]]
]

function patchWriter (owner: object, key: string, paths: number[], style: 'sync' | 'callback' | 'promise'): void {
  patch(owner, key, original => function (this: unknown, ...args: unknown[]) {
    const outside = (key.startsWith('open') && !opensForWrite(args[1]) ? [] : paths.map(index => pathOf(args[index])))
      .find(path => path !== undefined && !writable(path))
    if (outside === undefined || check('fs-write', outside, () => false)) return within(true, () => Reflect.apply(original, this, args))
    const error = denied('fs-write', outside)
    switch (style) {
      case 'sync': throw error
      case 'promise': return Promise.reject(error)
      case 'callback': {
        const callback = args.findLast(isFunction)
        if (callback === undefined) throw error
        later(() => callback(error))
        return undefined
      }
      default: {
        const unknownStyle: never = style
        throw new TypeError(`unknown style ${String(unknownStyle)}`)
      }
    }
  })
}

for (const [key, paths] of FS_WRITERS) {
  patchWriter(fs, key, paths, 'callback')
  patchWriter(fs, `${key}Sync`, paths, 'sync')
  patchWriter(fs.promises, key, paths, 'promise')
}

learnedPeers()
// `import { connect } from 'node:net'` in the engine must see the watched functions too.
syncBuiltinESMExports()
