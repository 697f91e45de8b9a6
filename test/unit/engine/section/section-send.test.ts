// Sending one section message between two real libp2p nodes on loopback: a try that failed before
// its frame was written is made again, and the peer gets the message once; a try that failed after
// the frame was written is not, nor is one whose deadline passed.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { createVaultLibp2p, type VaultLibp2p } from '../../../../node-core/engine/network/libp2p-node.ts'
import { MAX_SECTION_FRAME_BYTES, SECTION_PROTOCOL } from '../../../../node-core/engine/section/constants.ts'
import { decodeSectionMessage, type SectionMessage } from '../../../../node-core/engine/section/section-messages.ts'
import { sendSectionMessage } from '../../../../node-core/engine/section/section-service.ts'

type Dial = Pick<Libp2p, 'dialProtocol'>
const NO_WAIT = [0, 0]

/** The sender's dialProtocol, with each of `changes` applied to the stream of its try in turn. */
function dialing (sender: Dial, changes: Array<(stream: Stream) => Stream>): Dial & { tries: number } {
  const dial: Dial & { tries: number } = {
    tries: 0,
    dialProtocol: (async (peer: PeerId, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream> => {
      const change = changes[dial.tries++]
      const stream = await sender.dialProtocol(peer, protocol, options)
      return change === undefined ? stream : change(stream)
    }) as Dial['dialProtocol']
  }
  return dial
}

const resetBeforeWrite = (stream: Stream): Stream => {
  stream.abort(new Error('reset by the test before the frame'))
  return stream
}

/** The stream as it is, except that closing it (after the frame was written) fails. */
const failingClose = (stream: Stream): Stream => new Proxy(stream, {
  get (target, property) {
    if (property === 'close') return async () => { await target.close(); throw new Error('closing failed in the test') }
    const value: unknown = Reflect.get(target, property)
    return typeof value === 'function' ? value.bind(target) : value
  }
})

describe('sending a section message', () => {
  let sender: VaultLibp2p
  let receiver: VaultLibp2p
  const received: SectionMessage[] = []
  let arrivals: Array<() => void> = []

  before(async () => {
    sender = await createVaultLibp2p({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true })
    receiver = await createVaultLibp2p({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true })
    await Promise.all([sender.start(), receiver.start()])
    await receiver.handle(SECTION_PROTOCOL, async stream => {
      const bytes = await lpStream(stream, { maxDataLength: MAX_SECTION_FRAME_BYTES }).read()
      received.push(decodeSectionMessage(bytes.subarray()))
      await stream.close().catch(() => {})
      for (const arrived of arrivals) arrived()
      arrivals = []
    })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
  })

  after(async () => {
    await Promise.all([sender.stop(), receiver.stop()])
  })

  const nextArrival = async (): Promise<void> => { await new Promise<void>(resolve => { arrivals.push(resolve) }) }

  it('tries again after a stream reset before its frame, and the peer gets the message once', async () => {
    received.length = 0
    const dial = dialing(sender, [resetBeforeWrite, resetBeforeWrite])
    const arrived = nextArrival()
    await sendSectionMessage(dial, receiver.peerId, { type: 'era-support', eras: [1, 2] }, { signal: AbortSignal.timeout(10_000), retryDelaysMs: NO_WAIT })
    await arrived
    assert.equal(dial.tries, 3)
    assert.deepEqual(received, [{ type: 'era-support', eras: [1, 2] }])
  })

  it('gives up with the last try\'s error once its delays are used', async () => {
    const dial = dialing(sender, [resetBeforeWrite, resetBeforeWrite, resetBeforeWrite])
    await assert.rejects(sendSectionMessage(dial, receiver.peerId, { type: 'era-support', eras: [1] }, { signal: AbortSignal.timeout(10_000), retryDelaysMs: NO_WAIT }))
    assert.equal(dial.tries, 3)
  })

  it('does not try again once the frame was written: the peer may have the message', async () => {
    received.length = 0
    const dial = dialing(sender, [failingClose])
    const arrived = nextArrival()
    await assert.rejects(
      sendSectionMessage(dial, receiver.peerId, { type: 'era-support', eras: [1, 2] }, { signal: AbortSignal.timeout(10_000), retryDelaysMs: NO_WAIT }),
      /closing failed in the test/
    )
    await arrived
    assert.equal(dial.tries, 1)
    assert.deepEqual(received, [{ type: 'era-support', eras: [1, 2] }])
  })

  it('does not try again once its signal is aborted', async () => {
    const controller = new AbortController()
    const dial = dialing(sender, [stream => { controller.abort(new Error('stopped by the test')); return resetBeforeWrite(stream) }])
    await assert.rejects(sendSectionMessage(dial, receiver.peerId, { type: 'era-support', eras: [1] }, { signal: controller.signal, retryDelaysMs: NO_WAIT }))
    assert.equal(dial.tries, 1)
  })
})
