// Feeds baseline and candidate the same requests at the same time (DESIGN §3.4) and records how
// each answered: latency, whether it answered, and a digest of the answer to compare.
import { createHash } from 'node:crypto'
import type { ServeParams, ServeReply } from '../../engine/rpc/engine-rpc.ts'
import type { RequestRecord } from '../verdict/observations.ts'
import type { ShadowRequest, ShadowWorkload } from './shadow-workload.ts'

/** What the replay needs of an engine: to serve one request, and whether it is still up. */
export interface ServingEngine {
  serve(params: ServeParams): Promise<ServeReply>
  readonly gone: boolean
}

export interface ReplayInit {
  baseline: ServingEngine
  candidate: ServingEngine
  workload: ShadowWorkload
  durationMs: number
  /** Requests in flight at once (each to both engines). */
  concurrency: number
  /** A monotonic clock in milliseconds, for latency and the run's end. */
  monotonic: () => number
  signal?: AbortSignal
  onProgress?: (fraction: number) => void
}

export interface ReplayResult {
  baseline: RequestRecord[]
  candidate: RequestRecord[]
  /** Wall time from the first request sent to the last answered, per engine. */
  baselineDurationMs: number
  candidateDurationMs: number
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The digest of an answer: what two engines given the same request must agree on. */
export function digestOf (reply: ServeReply): string {
  if (!reply.ok) return `error:${reply.error.name}`
  switch (reply.op) {
    case 'get': return reply.found ? `chunk:${sha256(reply.bytes)}` : 'not-found'
    case 'has': return reply.found ? 'found' : 'not-found'
    case 'put': return `put:${reply.address}:${reply.added ? 'added' : 'held'}`
    case 'audit': return reply.found ? `proof:${hex(reply.proof)}` : 'not-found'
    default: {
      const unknownReply: never = reply
      throw new TypeError(`unknown serve reply ${JSON.stringify(unknownReply)}`)
    }
  }
}

function paramsOf (request: ShadowRequest): ServeParams {
  switch (request.op) {
    case 'get': return { op: 'get', address: request.address }
    case 'put': return { op: 'put', bytes: request.bytes }
    case 'audit': return { op: 'audit', address: request.address, nonce: request.nonce }
    default: {
      const unknownRequest: never = request
      throw new TypeError(`unknown shadow request ${JSON.stringify(unknownRequest)}`)
    }
  }
}

interface Answer { record: RequestRecord, reply: ServeReply | undefined, answeredAt: number }

async function ask (engine: ServingEngine, request: ShadowRequest, monotonic: () => number): Promise<Answer> {
  const sentAt = monotonic()
  try {
    const reply = await engine.serve(paramsOf(request))
    const answeredAt = monotonic()
    return { record: { operation: request.op, latencyMs: answeredAt - sentAt, ok: reply.ok, digest: digestOf(reply) }, reply, answeredAt }
  } catch (err) {
    const answeredAt = monotonic()
    const name = err instanceof Error ? err.name : 'Error'
    return { record: { operation: request.op, latencyMs: answeredAt - sentAt, ok: false, digest: `no-answer:${name}` }, reply: undefined, answeredAt }
  }
}

/** The workload's requests in one order for both engines, taken lazily as the faster one needs them. */
class SharedSequence {
  private readonly requests: ShadowRequest[] = []
  private tail: Promise<void> = Promise.resolve()
  private readonly workload: ShadowWorkload

  constructor (workload: ShadowWorkload) {
    this.workload = workload
  }

  async at (index: number): Promise<ShadowRequest> {
    // One generation at a time, so the sequence's order is the order requests were drawn.
    while (this.requests.length <= index) {
      const next = this.tail.then(async () => { if (this.requests.length <= index) this.requests.push(await this.workload.next()) })
      this.tail = next.catch(() => {})
      await next
    }
    const request = this.requests[index]
    if (request === undefined) throw new RangeError(`request ${index} was never drawn`)
    return request
  }
}

type Role = 'baseline' | 'candidate'

/**
 * Runs the workload against both engines at once for `durationMs`, or until either is gone (a run
 * cut short compares nothing more) or the signal aborts. Each engine works through the same
 * sequence at its own pace, `concurrency` requests in flight, so a slow engine does not hold the
 * other back and throughput means each one's own. The records cover the requests both answered
 * (the shorter run's), and each engine's duration is the time it took to answer those.
 */
export async function replayToBoth (init: ReplayInit): Promise<ReplayResult> {
  const { workload, monotonic } = init
  const engines: Record<Role, ServingEngine> = { baseline: init.baseline, candidate: init.candidate }
  const sequence = new SharedSequence(workload)
  const records: Record<Role, RequestRecord[]> = { baseline: [], candidate: [] }
  const answeredAt: Record<Role, number[]> = { baseline: [], candidate: [] }
  const taken: Record<Role, number> = { baseline: 0, candidate: 0 }
  /** Per request, the baseline's answer once both engines have answered it (for confirming puts). */
  const firstAnswer = new Map<number, ServeReply | undefined>()
  const startedAt = monotonic()
  const deadline = startedAt + init.durationMs
  let reported = -1

  const progress = (): void => {
    const fraction = Math.min(1, (monotonic() - startedAt) / Math.max(1, init.durationMs))
    // Hundredths are enough for a progress bar, and spare the listener a call per request.
    const hundredths = Math.floor(fraction * 100)
    if (hundredths === reported) return
    reported = hundredths
    init.onProgress?.(fraction)
  }

  /** Reads of a stored chunk follow only once both engines answered its put and the baseline stored it. */
  const answered = (role: Role, index: number, request: ShadowRequest, reply: ServeReply | undefined): void => {
    if (request.op !== 'put') return
    if (!firstAnswer.has(index)) { firstAnswer.set(index, role === 'baseline' ? reply : undefined); return }
    const baselineReply = role === 'baseline' ? reply : firstAnswer.get(index)
    firstAnswer.delete(index)
    // A candidate that only claimed to store it then answers the later reads wrongly, and is caught.
    if (baselineReply?.ok === true) workload.confirm(request.address)
  }

  const running = (): boolean => monotonic() < deadline && init.signal?.aborted !== true && !engines.baseline.gone && !engines.candidate.gone
  const lane = async (role: Role): Promise<void> => {
    while (running()) {
      const index = taken[role]++
      const request = await sequence.at(index)
      const answer = await ask(engines[role], request, monotonic)
      records[role][index] = answer.record
      answeredAt[role][index] = answer.answeredAt
      answered(role, index, request, answer.reply)
      progress()
    }
  }
  const lanes = Math.max(1, init.concurrency)
  await Promise.all((['baseline', 'candidate'] as const).flatMap(role => Array.from({ length: lanes }, async () => { await lane(role) })))

  const both = Math.min(taken.baseline, taken.candidate)
  const durationOf = (role: Role): number => Math.round(answeredAt[role].slice(0, both).reduce((latest, at) => Math.max(latest, at), startedAt) - startedAt)
  return {
    baseline: records.baseline.slice(0, both),
    candidate: records.candidate.slice(0, both),
    baselineDurationMs: durationOf('baseline'),
    candidateDurationMs: durationOf('candidate')
  }
}
