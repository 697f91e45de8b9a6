// `vault testnet --nodes N [--data-dir D] [--json] [--client-rate R] [--chunk-size B]` and the
// local network's churn and section policy (issue 3, deliver 8), flags `vault start` shares.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EXPECTED_FOUNDER_WAIT_MS, LocalNetwork, type LocalNetworkInit } from '../../localnet/local-network.ts'
import { MAX_CHUNK_BYTES } from '../../engine/store/chunk-address.ts'
import { UsageError } from '../cli-errors.ts'
import { parseInteger, parseNumber } from '../parse.ts'
import type { NetworkPolicy } from '../../host/embedded-network.ts'
import { surviveClosedStreamRace } from '../../engine/network/closed-stream-race.ts'
import { sectionPolicyInit } from '../../engine/section-policy.ts'

export const POLICY_USAGE = '[--churn-interval S] [--audit-interval S] [--grace-churns N] [--reward-epoch S]'
export const TESTNET_USAGE = `vault testnet --nodes N [--data-dir DIR] [--json] [--client-rate CHUNKS_PER_S] [--chunk-size BYTES] [--founder NAME]... ${POLICY_USAGE}`

const VAULT_NAME = /^[0-9a-f]{64}$/

/** The flags of the local network's churn and of the section's policy, for parseArgs. */
export const POLICY_OPTIONS = {
  'churn-interval': { type: 'string' },
  'audit-interval': { type: 'string' },
  'grace-churns': { type: 'string' },
  'reward-epoch': { type: 'string' }
} as const

const DAY_SECONDS = 24 * 3600

/** Whole milliseconds, at least 1: the timers take integers, and a positive interval stays on. */
function millis (seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000))
}

export function parseNetworkPolicy (values: { 'churn-interval'?: string | undefined, 'audit-interval'?: string | undefined, 'grace-churns'?: string | undefined, 'reward-epoch'?: string | undefined }): NetworkPolicy {
  const churnSeconds = parseNumber('churn-interval', values['churn-interval'], 0, DAY_SECONDS)
  const auditSeconds = parseNumber('audit-interval', values['audit-interval'], 0.1, DAY_SECONDS)
  const graceChurns = parseInteger('grace-churns', values['grace-churns'], 1, 1_000_000)
  const rewardEpochSeconds = parseNumber('reward-epoch', values['reward-epoch'], 1, DAY_SECONDS)
  return {
    ...(churnSeconds === undefined ? {} : { churnIntervalMs: churnSeconds === 0 ? 0 : millis(churnSeconds) }),
    ...(auditSeconds === undefined ? {} : { auditIntervalMs: millis(auditSeconds) }),
    ...(graceChurns === undefined ? {} : { graceChurns }),
    ...(rewardEpochSeconds === undefined ? {} : { rewardEpochMs: millis(rewardEpochSeconds) })
  }
}

/** The policy as every vault of a local network takes it; the section's own defaults where not given. */
export function localNetworkPolicy (policy: NetworkPolicy): Pick<LocalNetworkInit, 'churn' | 'section' | 'standing'> {
  const { churnIntervalMs, ...sectionPolicy } = policy
  return {
    ...(churnIntervalMs === undefined || churnIntervalMs === 0 ? {} : { churn: { intervalMs: churnIntervalMs } }),
    ...sectionPolicyInit(sectionPolicy)
  }
}

export interface TestnetOptions {
  nodes: number
  /** Absent: a temporary dir, removed on exit. */
  dataDir: string | undefined
  json: boolean
  clientRate: number
  chunkBytes: number
  policy: NetworkPolicy
  /** Vaults the section waits for, to found it with them at their age (the host's own vault). */
  founders: string[]
}

export function parseTestnetArgs (args: string[]): TestnetOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      nodes: { type: 'string', default: '20' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      'client-rate': { type: 'string', default: '1' },
      'chunk-size': { type: 'string', default: String(64 * 1024) },
      founder: { type: 'string', multiple: true },
      ...POLICY_OPTIONS
    }
  })
  return {
    nodes: parseInteger('nodes', values.nodes, 1, 500) ?? 20,
    dataDir: values['data-dir'] === undefined ? undefined : resolve(values['data-dir']),
    json: values.json,
    clientRate: parseNumber('client-rate', values['client-rate'], 0, 1000) ?? 1,
    chunkBytes: parseInteger('chunk-size', values['chunk-size'], 1, MAX_CHUNK_BYTES) ?? 64 * 1024,
    // Churn is off unless asked: `vault start` asks for it (embedded-network.ts).
    policy: parseNetworkPolicy(values),
    founders: (values.founder ?? []).map(name => {
      if (!VAULT_NAME.test(name)) throw new UsageError(`--founder expects a vault name (64 lowercase hex digits), got "${name.slice(0, 80)}"`)
      return name
    })
  }
}

export async function testnetCommand (args: string[]): Promise<number> {
  const { nodes, json, clientRate, chunkBytes, policy, founders, ...options } = parseTestnetArgs(args)
  surviveClosedStreamRace(message => { process.stderr.write(`vault testnet: ${message}\n`) }, err => {
    process.stderr.write(`${err.stack ?? String(err)}\n`)
    process.exit(1)
  })
  const ownDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'vault-testnet-'))

  const { section, ...networkPolicy } = localNetworkPolicy(policy)
  const expectedFounders = founders.length === 0 ? {} : { expectedFounders: { names: founders, waitMs: EXPECTED_FOUNDER_WAIT_MS } }
  const network = new LocalNetwork({ nodes, dataDir, clientRate, chunkBytes, ...networkPolicy, section: { ...section, ...expectedFounders } })
  const print = (line: unknown): void => { process.stdout.write((json ? JSON.stringify(line) : String(line)) + '\n') }
  if (!json) {
    network.addEventListener('network:progress', event => { process.stderr.write(`vaults started: ${event.detail.joined}/${event.detail.total}\n`) })
  }
  network.addEventListener('network:churn', event => {
    const { kind, vault, running } = event.detail
    if (json) print({ type: 'churn', kind, vault: vault.toString(), running })
    else process.stderr.write(`churn: vault ${vault.toString()} ${{ join: 'started and asks to join', leave: 'left', rejoin: 'rejoined' }[kind]} (${running} running)\n`)
  })
  network.addEventListener('network:churn-failed', event => {
    process.stderr.write(`churn: a ${event.detail.kind} failed: ${event.detail.error.message}\n`)
  })
  await network.start()
  const bootstrap = network.bootstrapAddrs()
  const running = network.vaults.length
  if (json) {
    print({ type: 'ready', nodes, running, bootstrap, dataDir })
  } else {
    const resumed = running > nodes ? ` (${nodes} founders, and ${running - nodes} vaults an earlier run's churn added)` : ''
    print(`Local network of ${running} vaults is up${resumed}. Bootstrap address:\n${bootstrap.join('\n')}\nData: ${dataDir}\nPress Ctrl+C to stop.`)
  }
  network.addEventListener('client:stats', event => {
    if (json) print({ type: 'client', stats: event.detail })
  })

  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    // Run by a host: go when the host goes.
    if (process.connected) process.once('disconnect', resolve)
  })
  await network.stop()
  if (ownDir) await rm(dataDir, { recursive: true, force: true })
  return 0
}
