// In-memory stand-ins for the audit tests: vaults that dial each other's protocol handlers over
// stream pairs (real length-prefixed framing, no sockets), a store in a Map, and a manual clock.
import { createHash } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { isPeerId, type Connection, type Libp2p, type PeerId, type Stream, type StreamHandler } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { identityFromSeed } from '../../../../node-core/engine/identity/identity-file.ts'
import type { Schedule } from '../../../../node-core/engine/section/schedule.ts'
import { chunkAddress } from '../../../../node-core/engine/store/chunk-address.ts'

export function testPeer (label: string): PeerId {
  const identity = identityFromSeed(Uint8Array.from(createHash('sha256').update(`audit-test/${label}`).digest()))
  return peerIdFromPublicKey(publicKeyFromRaw(identity.name))
}

/** Timers that fire only when the test says so. */
export class ManualSchedule {
  #pending: Array<{ ms: number, callback: () => void | Promise<void> }> = []

  readonly schedule: Schedule = (ms, callback) => {
    const timer = { ms, callback }
    this.#pending.push(timer)
    return () => { this.#pending = this.#pending.filter(t => t !== timer) }
  }

  get pending (): number { return this.#pending.length }

  /** Fires every pending timer, as if their time had come. */
  async fireAll (): Promise<number> {
    const due = this.#pending
    this.#pending = []
    for (const timer of due) await timer.callback()
    return due.length
  }
}

export class UnreachableError extends Error {
  override name = 'DialError'
}

type Node = Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol'>

export class MemoryNetwork {
  readonly #handlers = new Map<string, Map<string, StreamHandler>>()

  node (self: PeerId): Node {
    const own = this.#handlers.get(self.toString()) ?? new Map<string, StreamHandler>()
    this.#handlers.set(self.toString(), own)
    return {
      handle: async (protocols, handler) => {
        for (const protocol of [protocols].flat()) own.set(protocol, handler)
      },
      unhandle: async (protocols) => {
        for (const protocol of [protocols].flat()) own.delete(protocol)
      },
      dialProtocol: async (peer, protocols, options) => {
        options?.signal?.throwIfAborted()
        if (!isPeerId(peer)) throw new UnreachableError('the memory network dials peer ids only')
        const protocol = [protocols].flat()[0] ?? ''
        const handler = this.#handlers.get(peer.toString())?.get(protocol)
        if (handler === undefined) throw new UnreachableError(`${peer.toString()} does not handle ${protocol}`)
        const [outbound, inbound] = await streamPair()
        // The handler sees who dialed it, as a libp2p connection would tell it: only remotePeer is read.
        void handler(inbound, { remotePeer: self } as unknown as Connection)
        return outbound
      }
    }
  }
}

/** A handler that reads the first frame bytes it gets and reports them, then does as told. */
export function scriptedHandler (act: (stream: Stream) => Promise<void>): { handler: StreamHandler, challenged: Promise<void> } {
  let resolveChallenged = (): void => {}
  const challenged = new Promise<void>(resolve => { resolveChallenged = resolve })
  const handler: StreamHandler = async (stream) => {
    resolveChallenged()
    await act(stream)
  }
  return { handler, challenged }
}

/** A store in a Map, for members that need no disk. */
export class MemoryStore {
  readonly chunks = new Map<string, Uint8Array>()

  has (address: string): boolean {
    return this.chunks.has(address)
  }

  async get (address: string): Promise<Uint8Array | undefined> {
    return this.chunks.get(address)
  }

  async put (bytes: Uint8Array): Promise<string> {
    const address = chunkAddress(bytes)
    this.chunks.set(address, Uint8Array.from(bytes))
    return address
  }
}
