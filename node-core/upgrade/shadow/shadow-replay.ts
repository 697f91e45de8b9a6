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
  /** Per engine, the wall time it had a request outstanding (its busy time). */
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

type Role = 'baseline' | 'candidate'

function answerOf (answers: ReadonlyArray<readonly [Role, Answer]>, role: Role): Answer {
  const found = answers.find(([which]) => which === role)
  if (found === undefined) throw new TypeError(`no answer from the ${role}`)
  return found[1]
}

/** The wall time an engine had at least one request outstanding. */
class BusyTime {
  private outstanding = 0
  private since = 0
  total = 0

  begin (at: number): void {
    if (this.outstanding++ === 0) this.since = at
  }

  end (at: number): void {
    if (--this.outstanding === 0) this.total += at - this.since
  }
}

/**
 * Runs the workload against both engines for `durationMs`, or until either is gone (a run cut
 * short compares nothing more) or the signal aborts. Both engines get each request at the same
 * moment, and a lane sends its next one only once both answered: whatever slows the machine down
 * (the live vault busy, the shadow engines running on the CPU it leaves) slows both alike, so
 * they are compared under the same conditions. Each engine's duration is its busy time, the wall
 * time it had a request outstanding, so waiting for the other engine does not count against it:
 * a slower engine takes longer for the same requests and so shows a lower throughput.
 */
export async function replayToBoth (init: ReplayInit): Promise<ReplayResult> {
  const { workload, monotonic } = init
  const engines: Record<Role, ServingEngine> = { baseline: init.baseline, candidate: init.candidate }
  const records: Record<Role, RequestRecord[]> = { baseline: [], candidate: [] }
  const busy: Record<Role, BusyTime> = { baseline: new BusyTime(), candidate: new BusyTime() }
  const startedAt = monotonic()
  const deadline = startedAt + init.durationMs
  let taken = 0
  let reported = -1

  const progress = (): void => {
    const fraction = Math.min(1, (monotonic() - startedAt) / Math.max(1, init.durationMs))
    // Hundredths are enough for a progress bar, and spare the listener a call per request.
    const hundredths = Math.floor(fraction * 100)
    if (hundredths === reported) return
    reported = hundredths
    init.onProgress?.(fraction)
  }

  const askTimed = async (role: Role, request: ShadowRequest): Promise<Answer> => {
    busy[role].begin(monotonic())
    const answer = await ask(engines[role], request, monotonic)
    busy[role].end(answer.answeredAt)
    return answer
  }

  const running = (): boolean => monotonic() < deadline && init.signal?.aborted !== true && !engines.baseline.gone && !engines.candidate.gone
  const lane = async (): Promise<void> => {
    while (running()) {
      const request = await workload.next()
      const index = taken++
      // Which engine is sent to first alternates: on a busy machine the second may wait for the CPU
      // the first took, and that must not weigh on one side only.
      const order: [Role, Role] = index % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline']
      const answers = await Promise.all(order.map(async role => [role, await askTimed(role, request)] as const))
      const fromBaseline = answerOf(answers, 'baseline')
      const fromCandidate = answerOf(answers, 'candidate')
      records.baseline[index] = fromBaseline.record
      records.candidate[index] = fromCandidate.record
      // Later requests may read the chunk once the baseline holds it: a candidate that only
      // claimed to store it then answers those reads wrongly, and is caught.
      if (request.op === 'put' && fromBaseline.reply?.ok === true) workload.confirm(request.address)
      progress()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, init.concurrency) }, lane))
  return {
    baseline: records.baseline,
    candidate: records.candidate,
    baselineDurationMs: Math.round(busy.baseline.total),
    candidateDurationMs: Math.round(busy.candidate.total)
  }
}
