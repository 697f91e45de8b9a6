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

/**
 * Runs the workload against both engines for `durationMs`, or until either is gone (a run cut
 * short compares nothing more) or the signal aborts. Records are in the order requests were taken.
 */
export async function replayToBoth (init: ReplayInit): Promise<ReplayResult> {
  const { baseline, candidate, workload, monotonic } = init
  const records: { baseline: RequestRecord[], candidate: RequestRecord[] } = { baseline: [], candidate: [] }
  const startedAt = monotonic()
  const deadline = startedAt + init.durationMs
  const last = { baseline: startedAt, candidate: startedAt }
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

  const lane = async (): Promise<void> => {
    while (monotonic() < deadline && init.signal?.aborted !== true && !baseline.gone && !candidate.gone) {
      const request = await init.workload.next()
      const index = taken++
      const [fromBaseline, fromCandidate] = await Promise.all([ask(baseline, request, monotonic), ask(candidate, request, monotonic)])
      records.baseline[index] = fromBaseline.record
      records.candidate[index] = fromCandidate.record
      last.baseline = Math.max(last.baseline, fromBaseline.answeredAt)
      last.candidate = Math.max(last.candidate, fromCandidate.answeredAt)
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
    baselineDurationMs: Math.round(last.baseline - startedAt),
    candidateDurationMs: Math.round(last.candidate - startedAt)
  }
}
