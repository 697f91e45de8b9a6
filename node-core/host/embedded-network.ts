// The embedded local network a vault joins when no bootstrap peers are configured: `vault testnet`
// run as a child process of the host, so its 20 vaults never load the host's (or Electron's) thread.
import { fork, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { lastStderrLine, stopChild } from './child-process.ts'
import { namedError } from '../../contract/named-error.ts'

export const TestnetReadySchema = z.object({
  type: z.literal('ready'),
  nodes: z.number().int().positive(),
  /** Vaults running once it is ready: the `nodes` founders, and any an earlier run's churn added that started again. */
  running: z.number().int().positive(),
  bootstrap: z.array(z.string()).min(1),
  dataDir: z.string()
})
export type TestnetReady = z.infer<typeof TestnetReadySchema>

/** One churn event of the local network (localnet/local-churn.ts), as `vault testnet --json` prints it. */
export const TestnetChurnSchema = z.object({
  type: z.literal('churn'),
  kind: z.enum(['join', 'leave', 'rejoin']),
  vault: z.string(),
  running: z.number().int().nonnegative()
})
export type TestnetChurn = z.infer<typeof TestnetChurnSchema>

/**
 * One churn event every 30 s by default (issue 3, deliver 8): a new farmer sees the section churn,
 * and deadlines counted in churns (a paused vault's grace) pass in minutes, not hours.
 */
export const DEFAULT_EMBEDDED_CHURN_INTERVAL_MS = 30_000

export class EmbeddedNetworkError extends namedError('EmbeddedNetworkError') {}

const cliEntry = new URL(`../cli/vault${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

/**
 * The local network's churn and the section's policy (`vault testnet` and `vault start` flags);
 * the section's defaults where absent.
 */
export interface NetworkPolicy {
  /** Time between the local network's churn events; 0 for none. */
  churnIntervalMs?: number
  /** Time between an elder's audit rounds. */
  auditIntervalMs?: number
  /** Churns a paused vault has to fix itself before it is demoted. */
  graceChurns?: number
  /** Length of a reward epoch, at whose end the elders sign its reward record. */
  rewardEpochMs?: number
}

/** An absent `churnIntervalMs` here is DEFAULT_EMBEDDED_CHURN_INTERVAL_MS. */
export interface EmbeddedNetworkInit extends NetworkPolicy {
  dataDir: string
  nodes: number
  clientRate: number
  startTimeoutMs?: number
  /** Vaults the section waits for, to found it with them at their age: the host's own, once it has a name. */
  founders?: readonly string[]
}

/** The `vault testnet` command line of an embedded network. */
export function testnetArgs (init: EmbeddedNetworkInit): string[] {
  const { auditIntervalMs, graceChurns, rewardEpochMs } = init
  return [
    'testnet', '--nodes', String(init.nodes), '--data-dir', init.dataDir, '--client-rate', String(init.clientRate), '--json',
    '--churn-interval', String((init.churnIntervalMs ?? DEFAULT_EMBEDDED_CHURN_INTERVAL_MS) / 1000),
    ...(auditIntervalMs === undefined ? [] : ['--audit-interval', String(auditIntervalMs / 1000)]),
    ...(graceChurns === undefined ? [] : ['--grace-churns', String(graceChurns)]),
    ...(rewardEpochMs === undefined ? [] : ['--reward-epoch', String(rewardEpochMs / 1000)]),
    ...(init.founders ?? []).flatMap(name => ['--founder', name])
  ]
}

export class EmbeddedNetwork {
  private child: ChildProcess | undefined
  private readonly init: EmbeddedNetworkInit
  ready: TestnetReady | undefined

  constructor (init: EmbeddedNetworkInit) {
    this.init = init
  }

  async start (): Promise<TestnetReady> {
    const child = fork(cliEntry, testnetArgs(this.init), { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    this.child = child
    const lastComplaint = lastStderrLine(child)
    const lines = createInterface({ input: child.stdout ?? process.stdin })
    const timeoutMs = this.init.startTimeoutMs ?? 60_000
    this.ready = await new Promise<TestnetReady>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new EmbeddedNetworkError(`the local network did not start within ${timeoutMs} ms`)) }, timeoutMs)
      lines.on('line', line => {
        let json: unknown
        try { json = JSON.parse(line) } catch { return }
        const ready = TestnetReadySchema.safeParse(json)
        if (!ready.success) return
        clearTimeout(timer)
        resolve(ready.data)
      })
      child.once('exit', code => {
        clearTimeout(timer)
        reject(new EmbeddedNetworkError(`the local network exited (code ${code}): ${lastComplaint()}`))
      })
    })
    return this.ready
  }

  async stop (): Promise<void> {
    const child = this.child
    if (child === undefined) return
    await stopChild(child, () => { child.kill('SIGTERM') }, 10_000)
  }
}
