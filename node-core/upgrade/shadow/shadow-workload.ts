// The work a shadow run feeds baseline and candidate alike (DESIGN §3.4, issue 5 deliver 2): the
// live vault's recent requests replayed, interleaved with a seeded synthetic farming workload.
// Both engines get every request, so the workload is decided once, here, never per engine.
import { createPrng, type Prng } from '../../section/rules/prng.ts'
import { STORAGE_PROOF_NONCE_BYTES } from '../../engine/audit/storage-proof.ts'
import type { TracedRequest } from './shadow-runner.ts'

export type ShadowRequest =
  | { op: 'get', address: string, source: 'trace' | 'synthetic' }
  | { op: 'put', bytes: Uint8Array, address: string, source: 'trace' | 'synthetic' }
  | { op: 'audit', address: string, nonce: Uint8Array, source: 'synthetic' }

export interface ShadowWorkloadInit {
  trace: readonly TracedRequest[]
  /** Chunks in the snapshot: what both engines can serve before any put. */
  snapshotAddresses: readonly string[]
  /** Reads a snapshot chunk, for replaying a traced put (undefined: no longer there, skipped). */
  readSnapshotChunk: (address: string) => Promise<Uint8Array | undefined>
  /** Address of given bytes (the chunk address function). */
  addressOf: (bytes: Uint8Array) => string
  seed: number | bigint
  /** Sizes of synthetic chunks, in bytes. */
  minChunkBytes?: number
  maxChunkBytes?: number
}

export const DEFAULT_MIN_SYNTHETIC_CHUNK_BYTES = 1024
export const DEFAULT_MAX_SYNTHETIC_CHUNK_BYTES = 64 * 1024

/**
 * The synthetic farming mix: a farmer's vault mostly serves reads, takes new data steadily and is
 * audited now and then.
 */
const SYNTHETIC_MIX: ReadonlyArray<{ op: 'get' | 'put' | 'audit', weight: number }> = [
  { op: 'get', weight: 5 },
  { op: 'put', weight: 3 },
  { op: 'audit', weight: 2 }
]
const MIX_TOTAL = SYNTHETIC_MIX.reduce((sum, entry) => sum + entry.weight, 0)

/**
 * Hands out requests one by one: traced and synthetic in turn, the trace replayed from its start
 * again when it runs out. A synthetic chunk is read or audited only after `confirm` says both
 * engines stored it, so requests in flight together never race a put against its get.
 */
export class ShadowWorkload {
  private readonly init: ShadowWorkloadInit
  private readonly prng: Prng
  private readonly replayable: readonly TracedRequest[]
  private readonly known: string[]
  private readonly knownSet: Set<string>
  private readonly minBytes: number
  private readonly maxBytes: number
  private traceIndex = 0
  private turn = 0

  constructor (init: ShadowWorkloadInit) {
    this.init = init
    this.prng = createPrng(init.seed)
    this.minBytes = init.minChunkBytes ?? DEFAULT_MIN_SYNTHETIC_CHUNK_BYTES
    this.maxBytes = init.maxChunkBytes ?? DEFAULT_MAX_SYNTHETIC_CHUNK_BYTES
    if (!Number.isSafeInteger(this.minBytes) || this.minBytes < 1 || !Number.isSafeInteger(this.maxBytes) || this.maxBytes < this.minBytes) {
      throw new RangeError(`"minChunkBytes".."maxChunkBytes" expected 1 <= min <= max, got ${this.minBytes}..${this.maxBytes}`)
    }
    const inSnapshot = new Set(init.snapshotAddresses)
    // A traced put of a chunk the snapshot lacks cannot be replayed: its bytes were never kept.
    this.replayable = init.trace.filter(entry => entry.op !== 'put' || inSnapshot.has(entry.address))
    this.known = [...inSnapshot]
    this.knownSet = new Set(inSnapshot)
  }

  /** Records that both engines stored a synthetic chunk, so later gets and audits may ask for it. */
  confirm (address: string): void {
    if (this.knownSet.has(address)) return
    this.knownSet.add(address)
    this.known.push(address)
  }

  async next (): Promise<ShadowRequest> {
    const fromTrace = this.turn++ % 2 === 0 && this.replayable.length > 0
    if (fromTrace) {
      const traced = await this.nextTraced()
      if (traced !== undefined) return traced
    }
    return this.nextSynthetic()
  }

  private async nextTraced (): Promise<ShadowRequest | undefined> {
    for (let tries = 0; tries < this.replayable.length; tries++) {
      const entry = this.replayable[this.traceIndex]
      this.traceIndex = (this.traceIndex + 1) % this.replayable.length
      if (entry === undefined) return undefined
      switch (entry.op) {
        case 'get':
        case 'has':
          return { op: 'get', address: entry.address, source: 'trace' }
        case 'put': {
          const bytes = await this.init.readSnapshotChunk(entry.address)
          if (bytes !== undefined) return { op: 'put', bytes, address: entry.address, source: 'trace' }
          break
        }
        default: {
          const unknownOp: never = entry.op
          throw new RangeError(`"trace" expected get, put or has, got ${String(unknownOp)}`)
        }
      }
    }
    return undefined
  }

  private nextSynthetic (): ShadowRequest {
    let roll = this.prng.nextInt(MIX_TOTAL)
    let op: 'get' | 'put' | 'audit' = 'put'
    for (const entry of SYNTHETIC_MIX) {
      if (roll < entry.weight) { op = entry.op; break }
      roll -= entry.weight
    }
    // Nothing to read yet: the first request of a run on an empty store is a put.
    if (this.known.length === 0) op = 'put'
    switch (op) {
      case 'put': {
        const bytes = this.prng.bytes(this.minBytes + this.prng.nextInt(this.maxBytes - this.minBytes + 1))
        return { op: 'put', bytes, address: this.init.addressOf(bytes), source: 'synthetic' }
      }
      case 'get':
        return { op: 'get', address: this.prng.pick(this.known), source: 'synthetic' }
      case 'audit':
        return { op: 'audit', address: this.prng.pick(this.known), nonce: this.prng.bytes(STORAGE_PROOF_NONCE_BYTES), source: 'synthetic' }
      default: {
        const unknownOp: never = op
        throw new RangeError(`unknown synthetic operation ${String(unknownOp)}`)
      }
    }
  }
}
