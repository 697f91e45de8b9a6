// A vault under attack on /vault/chunk/1.0.0: each hostile exchange fails with a named reason,
// costs the attacker local trust, stores nothing, and the vault goes on serving honest peers.
// The client side too: a lying server's bad bytes are rejected and cost it trust.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'
import { decodeReply, decodeRequest, encodeFrame, type ChunkReply, type ChunkRequest } from '../../node-core/engine/chunk-protocol/frames.ts'
import type { LocalTrust, TrustOffence } from '../../node-core/engine/network/local-trust.ts'
import { nameOfPeer } from '../../node-core/engine/network/placement.ts'
import { chunkAddress, MAX_CHUNK_BYTES } from '../../node-core/engine/store/chunk-address.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { CHUNK_PROTOCOL } from '../../node-core/engine/version.ts'

const MiB = 1024 * 1024
/** Short enough that an exchange the victim never settles fails the test quickly. */
const VICTIM_REQUEST_TIMEOUT_MS = 5_000
const P2P_CODE = 421
/** Names a frame length the reader refuses may fail with, depending on where it refuses it. */
const LENGTH_PREFIX_ERRORS = ['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'ChunkTooLargeError', 'MalformedFrameError']

interface Lowered { peer: string, offence: TrustOffence, reason: string, score: number }

/** How an attacker's exchange ended: the victim's error frame, or the stream failing. */
type Verdict = { kind: 'frame', reply: ChunkReply } | { kind: 'failed', error: Error }

/** Resolves with the next trust:lowered event about `peer`. */
async function nextLowered (trust: LocalTrust, peer: string): Promise<Lowered> {
  return await new Promise(resolve => {
    const onLowered = (event: CustomEvent<Lowered>): void => {
      if (event.detail.peer !== peer) return
      trust.removeEventListener('trust:lowered', onLowered)
      resolve(event.detail)
    }
    trust.addEventListener('trust:lowered', onLowered)
  })
}

/** Deterministic pseudo-random bytes: SHA-256 in counter mode over a seed. */
function seededBytes (seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let offset = 0, counter = 0; offset < length; counter++) {
    const block = createHash('sha256').update(`${seed}:${counter}`).digest()
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset)
    offset += block.length
  }
  return out
}

function varint (value: number): Uint8Array {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80)
    rest = Math.floor(rest / 128)
  }
  bytes.push(rest)
  return Uint8Array.from(bytes)
}

function header (request: ChunkRequest): Uint8Array {
  return encodeFrame(request)
}

function dialableAddress (vault: Vault): Multiaddr {
  const address = vault.multiaddrs()[0]
  assert.ok(address !== undefined, `vault ${vault.peerId.toString()} listens nowhere`)
  return multiaddr(address)
}

/** Reads the victim's answer: one frame if it sent one before resetting, else the failure. */
async function readVerdict (lp: LengthPrefixedStream<Stream>, signal?: AbortSignal): Promise<Verdict> {
  let frame: Uint8ArrayList
  try {
    frame = await lp.read(signal === undefined ? {} : { signal })
  } catch (err) {
    assert.ok(err instanceof Error)
    return { kind: 'failed', error: err }
  }
  // The victim's error frame must itself be a valid reply: decoding throws otherwise.
  return { kind: 'frame', reply: decodeReply(frame.subarray()) }
}

/**
 * The attacker's exchange must fail: either the victim's only frame is an error named as one of
 * `errorNames`, after which the stream is reset, or the stream is reset before any frame.
 */
async function assertExchangeFailed (lp: LengthPrefixedStream<Stream>, stream: Stream, errorNames: string | string[]): Promise<void> {
  const verdict = await readVerdict(lp)
  if (verdict.kind === 'frame') {
    const reply = verdict.reply
    if (reply.ok) assert.fail(`the victim answered ${JSON.stringify(reply)} instead of an error`)
    assert.ok([errorNames].flat().includes(reply.error.name), `error frame named ${reply.error.name}, expected ${String(errorNames)}`)
    assert.ok(reply.error.message.length > 0)
    await assert.rejects(lp.read(), 'the victim went on after its error frame instead of resetting the stream')
  }
  if (stream.status !== 'reset' && stream.status !== 'aborted') {
    await new Promise<void>(resolve => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
  }
  assert.ok(stream.status === 'reset' || stream.status === 'aborted', `stream ended ${stream.status}, not reset`)
}

function assertSameBytes (actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert.ok(actual !== undefined, `${what}: not found`)
  assert.equal(Buffer.compare(actual, expected), 0, `${what}: bytes differ`)
}

describe('a vault facing a hostile peer', { timeout: 120_000 }, () => {
  let root = ''
  let next = 0
  let victim: Vault
  let honest: Vault
  let attacker: Vault
  let attackerId = ''
  let victimChunksBefore: string[] = []

  async function startVault (name: string, requestTimeoutMs?: number): Promise<Vault> {
    const vault = await createVault({
      dataDir: join(root, `${name}-${next++}`),
      localNetwork: true,
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs })
    })
    await vault.start()
    return vault
  }

  /** A raw stream from the attacker to the victim's chunk protocol, with no frame size limit. */
  async function openAttack (): Promise<{ stream: Stream, lp: LengthPrefixedStream<Stream> }> {
    const connection = await attacker.libp2p.dial(dialableAddress(victim))
    const stream = await connection.newStream(CHUNK_PROTOCOL)
    return { stream, lp: lpStream(stream, { maxDataLength: 4 * MiB }) }
  }

  /** The victim, right after an attack, still stores and serves an honest vault's chunk. */
  async function assertVictimServesHonestPeer (): Promise<void> {
    const bytes = randomBytes(10_000)
    const address = chunkAddress(bytes)
    assert.equal(await honest.chunks.put(victim.peerId, bytes), true)
    assert.equal(victim.store.has(address), true)
    assertSameBytes(await honest.chunks.get(victim.peerId, address), bytes, 'honest chunk read back from the victim')
    assert.equal(honest.trust.score(victim.peerId.toString()), 0)
    assert.equal(victim.trust.score(honest.peerId.toString()), 0)
    victimChunksBefore.push(address)
  }

  function assertVictimStoredNothingNew (): void {
    assert.deepEqual([...victim.store.addresses()].sort(), [...victimChunksBefore].sort())
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'hostile-peer-test-'))
    victim = await startVault('victim', VICTIM_REQUEST_TIMEOUT_MS)
    honest = await startVault('honest')
    await honest.libp2p.dial(dialableAddress(victim))
  })

  after(async () => {
    await Promise.allSettled([victim.stop(), honest.stop()])
    await rm(root, { recursive: true, force: true })
  })

  // A fresh attacker each time, so one attack's penalty never makes the victim ignore the next.
  beforeEach(async () => {
    attacker = await startVault('attacker')
    attackerId = attacker.peerId.toString()
    victimChunksBefore = [...victim.store.addresses()]
  })

  afterEach(async () => {
    await attacker.stop()
  })

  it('rejects a put header announcing 2 MiB as malformed', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    await lp.write(header({ op: 'put', address: chunkAddress(new Uint8Array(1)), size: 2 * MiB }))
    await assertExchangeFailed(lp, stream, 'MalformedFrameError')
    const event = await lowered
    assert.equal(event.offence, 'malformed')
    assert.ok(victim.trust.score(attackerId) < 0)
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  /** Sends a valid 1 MiB put header, then a data frame of `size` bytes. */
  async function sendOversizePut (size: number, errorNames: string[]): Promise<Lowered> {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    const huge = randomBytes(size)
    // The write may never finish: the victim resets the stream once it reads the length prefix.
    const writing = lp.writeV([header({ op: 'put', address: chunkAddress(huge.subarray(0, MAX_CHUNK_BYTES)), size: MAX_CHUNK_BYTES }), huge])
      .then(() => undefined, (err: unknown) => err)
    await assertExchangeFailed(lp, stream, errorNames)
    await writing
    const event = await lowered
    assert.ok(victim.trust.score(attackerId) < 0)
    assert.equal(victim.store.has(chunkAddress(huge.subarray(0, MAX_CHUNK_BYTES))), false)
    assertVictimStoredNothingNew()
    return event
  }

  it('rejects a valid put header followed by a 1.5 MiB data frame as oversize', async () => {
    const event = await sendOversizePut(1.5 * MiB, ['InvalidDataLengthError'])
    assert.equal(event.offence, 'oversize')
    assert.match(event.reason, /1572864 > 1048576/)
    await assertVictimServesHonestPeer()
  })

  it('rejects a valid put header followed by a 2 MiB data frame as oversize', async () => {
    // 2 MiB needs a 4-byte length prefix where 1 MiB needs 3: the stream reader fails on the
    // prefix's length before it reads the length itself. Either way the data is too large.
    const event = await sendOversizePut(2 * MiB, LENGTH_PREFIX_ERRORS)
    assert.equal(event.offence, 'oversize', `a 2 MiB chunk was classed as ${event.offence} data`)
    await assertVictimServesHonestPeer()
  })

  it('rejects a put whose bytes do not hash to the claimed address as a mismatch', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    const claimed = randomBytes(5000)
    const sent = randomBytes(5000)
    await lp.writeV([header({ op: 'put', address: chunkAddress(claimed), size: sent.length }), sent])
    await assertExchangeFailed(lp, stream, 'ChunkMismatchError')
    const event = await lowered
    assert.equal(event.offence, 'mismatch')
    assert.ok(event.reason.includes(chunkAddress(claimed)))
    assert.ok(victim.trust.score(attackerId) < 0)
    assert.equal(victim.store.has(chunkAddress(claimed)), false)
    assert.equal(victim.store.has(chunkAddress(sent)), false)
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  it('rejects a put whose data frame is shorter than its header announced as malformed', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    const sent = randomBytes(100)
    await lp.writeV([header({ op: 'put', address: chunkAddress(sent), size: 200 }), sent])
    await assertExchangeFailed(lp, stream, 'MalformedFrameError')
    assert.equal((await lowered).offence, 'malformed')
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  it('rejects a truncated header frame: a 1000-byte length prefix, 10 bytes, then close', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    stream.send(Uint8Array.from([...varint(1000), ...seededBytes('truncated header', 10)]))
    await stream.close()
    await assertExchangeFailed(lp, stream, 'UnexpectedEOFError')
    const event = await lowered
    assert.equal(event.offence, 'truncated')
    assert.ok(victim.trust.score(attackerId) < 0)
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  it('rejects a put whose data frame is cut short by the stream closing as truncated', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    const bytes = randomBytes(1000)
    await lp.write(header({ op: 'put', address: chunkAddress(bytes), size: bytes.length }))
    stream.send(Uint8Array.from([...varint(1000), ...bytes.subarray(0, 10)]))
    await stream.close()
    await assertExchangeFailed(lp, stream, 'UnexpectedEOFError')
    assert.equal((await lowered).offence, 'truncated')
    assert.equal(victim.store.has(chunkAddress(bytes)), false)
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  it('rejects a well-framed header of random bytes as malformed', async () => {
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    await lp.write(seededBytes('random header', 512))
    await assertExchangeFailed(lp, stream, 'MalformedFrameError')
    assert.equal((await lowered).offence, 'malformed')
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  for (const seed of ['random stream 1', 'random stream 2', 'random stream 3']) {
    it(`rejects unframed random bytes (${seed}) as a protocol violation`, async () => {
      const lowered = nextLowered(victim.trust, attackerId)
      const { stream, lp } = await openAttack()
      stream.send(seededBytes(seed, 4096))
      await stream.close()
      const event = await lowered
      const expectedName: Record<TrustOffence, string[]> = {
        malformed: [...LENGTH_PREFIX_ERRORS, 'InvalidMessageLengthError'],
        oversize: LENGTH_PREFIX_ERRORS,
        truncated: ['UnexpectedEOFError'],
        mismatch: [],
        'failed-request': [],
        outdated: []
      }
      const names = expectedName[event.offence]
      assert.ok(names.length > 0, `random bytes were classed as ${event.offence}`)
      await assertExchangeFailed(lp, stream, names)
      assert.ok(victim.trust.score(attackerId) < 0)
      assertVictimStoredNothingNew()
      await assertVictimServesHonestPeer()
    })
  }

  it('rejects a length prefix that never ends at once, without waiting for more bytes', async () => {
    // A varint for at most 1 MiB takes 3 bytes; 16 continuation bytes can never be a valid
    // length, yet the stream stays open: the victim must answer now, not when a timer fires.
    const lowered = nextLowered(victim.trust, attackerId)
    const { stream, lp } = await openAttack()
    stream.send(new Uint8Array(16).fill(0xff))
    const deadline = AbortSignal.timeout(2 * VICTIM_REQUEST_TIMEOUT_MS)
    const verdict = await readVerdict(lp, deadline)
    assert.ok(!deadline.aborted, `the victim still had not rejected an endless length prefix after ${2 * VICTIM_REQUEST_TIMEOUT_MS} ms`)
    assert.ok(victim.trust.score(attackerId) < 0, 'an endless length prefix cost the attacker no trust (the victim waited for a timeout instead)')
    if (verdict.kind === 'frame') {
      const reply = verdict.reply
      if (reply.ok) assert.fail(`the victim answered ${JSON.stringify(reply)} instead of an error`)
      assert.ok(LENGTH_PREFIX_ERRORS.includes(reply.error.name), `error frame named ${reply.error.name}`)
    }
    assert.ok(['malformed', 'oversize'].includes((await lowered).offence))
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })

  it('ignores a peer that keeps sending bad data, and keeps serving everyone else', async () => {
    await victim.libp2p.peerStore.merge(attacker.peerId, {
      multiaddrs: attacker.libp2p.getMultiaddrs().map(address => address.decapsulateCode(P2P_CODE))
    })
    const attackerName = nameOfPeer(attacker.peerId)
    assert.ok(attackerName !== undefined)
    const placedBefore = await victim.placement.closest(attackerName, 1)
    assert.ok(placedBefore[0]?.equals(attacker.peerId), 'the attacker is not placed even before it misbehaves')

    for (let attack = 0; attack < 4; attack++) {
      const lowered = nextLowered(victim.trust, attackerId)
      const { stream, lp } = await openAttack()
      const sent = randomBytes(100)
      await lp.writeV([header({ op: 'put', address: chunkAddress(randomBytes(100)), size: sent.length }), sent])
      await assertExchangeFailed(lp, stream, 'ChunkMismatchError')
      await lowered
    }
    assert.equal(victim.trust.score(attackerId), -20)
    assert.equal(victim.trust.isIgnored(attackerId), true)

    // Now even a valid put is refused without being read, and costs nothing more.
    const { stream, lp } = await openAttack()
    const bytes = randomBytes(100)
    await lp.writeV([header({ op: 'put', address: chunkAddress(bytes), size: bytes.length }), bytes]).catch(() => {})
    await assert.rejects(lp.read())
    assert.ok(stream.status === 'reset' || stream.status === 'aborted', stream.status)
    assert.equal(victim.store.has(chunkAddress(bytes)), false)
    assert.equal(victim.trust.score(attackerId), -20)
    const placedAfter = await victim.placement.closest(attackerName, 10)
    assert.ok(!placedAfter.some(peer => peer.equals(attacker.peerId)), 'an ignored peer is still chosen to hold chunks')
    assertVictimStoredNothingNew()
    await assertVictimServesHonestPeer()
  })
})

describe('a vault reading from a lying server', { timeout: 120_000 }, () => {
  let root = ''
  let client: Vault
  let liar: Vault
  let liarId = ''
  let liarAddress: Multiaddr
  /** How the liar answers the next request. */
  let lie: (lp: LengthPrefixedStream<Stream>, request: ChunkRequest) => Promise<void> = async () => {}

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lying-server-test-'))
    client = await createVault({ dataDir: join(root, 'client'), localNetwork: true })
    liar = await createVault({ dataDir: join(root, 'liar'), localNetwork: true })
    await client.start()
    await liar.start()
    liarId = liar.peerId.toString()
    liarAddress = dialableAddress(liar)
    await liar.libp2p.unhandle(CHUNK_PROTOCOL)
    await liar.libp2p.handle(CHUNK_PROTOCOL, async stream => {
      const lp = lpStream(stream, { maxDataLength: 4 * MiB })
      try {
        const request = decodeRequest((await lp.read()).subarray())
        if (request.op === 'put') await lp.read()
        await lie(lp, request)
        await stream.close()
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    })
  })

  after(async () => {
    await Promise.allSettled([client.stop(), liar.stop()])
    await rm(root, { recursive: true, force: true })
  })

  async function reply (lp: LengthPrefixedStream<Stream>, value: ChunkReply, data?: Uint8Array): Promise<void> {
    await lp.writeV(data === undefined ? [encodeFrame(value)] : [encodeFrame(value), data])
  }

  it('rejects a found get whose bytes do not match the address with ChunkMismatchError and lowers the liar\'s trust', async () => {
    const wanted = randomBytes(3000)
    const served = randomBytes(3000)
    lie = async lp => { await reply(lp, { ok: true, op: 'get', found: true, size: served.length }, served) }
    const before = client.trust.score(liarId)
    const lowered = nextLowered(client.trust, liarId)
    await assert.rejects(client.chunks.get(liarAddress, chunkAddress(wanted)), { name: 'ChunkMismatchError' })
    const event = await lowered
    assert.equal(event.offence, 'mismatch')
    assert.ok(client.trust.score(liarId) < before)
    assert.equal(client.store.has(chunkAddress(wanted)), false)
    assert.equal(client.store.has(chunkAddress(served)), false)
  })

  it('rejects a found get whose data frame is not the announced size as malformed', async () => {
    const wanted = randomBytes(3000)
    lie = async lp => { await reply(lp, { ok: true, op: 'get', found: true, size: 3000 }, wanted.subarray(0, 2000)) }
    const lowered = nextLowered(client.trust, liarId)
    await assert.rejects(client.chunks.get(liarAddress, chunkAddress(wanted)), { name: 'MalformedFrameError' })
    assert.equal((await lowered).offence, 'malformed')
  })

  it('rejects a get data frame over 1 MiB as oversize', async () => {
    const wanted = randomBytes(100)
    lie = async lp => {
      await lp.writeV([encodeFrame({ ok: true, op: 'get', found: true, size: MAX_CHUNK_BYTES }), randomBytes(MAX_CHUNK_BYTES + 1)]).catch(() => {})
    }
    const lowered = nextLowered(client.trust, liarId)
    await assert.rejects(client.chunks.get(liarAddress, chunkAddress(wanted)), { name: 'InvalidDataLengthError' })
    assert.equal((await lowered).offence, 'oversize')
  })

  it('rejects a reply that is not a valid header as malformed', async () => {
    lie = async lp => { await lp.write(seededBytes('lying reply', 64)) }
    const lowered = nextLowered(client.trust, liarId)
    await assert.rejects(client.chunks.has(liarAddress, chunkAddress(randomBytes(10))), { name: 'MalformedFrameError' })
    assert.equal((await lowered).offence, 'malformed')
  })

  it('does not penalize a server for an error it reports honestly', async () => {
    lie = async lp => { await reply(lp, { ok: false, error: { name: 'StoreFullError', message: 'store is full' } }) }
    const before = client.trust.score(liarId)
    await assert.rejects(client.chunks.put(liarAddress, randomBytes(100)), (err: unknown) => {
      assert.ok(err instanceof Error)
      assert.equal(err.name, 'StoreFullError')
      assert.match(err.message, /store is full/)
      return true
    })
    assert.equal(client.trust.score(liarId), before)
  })

  it('treats a reply for another operation as malformed and lowers the server\'s trust', async () => {
    lie = async lp => { await reply(lp, { ok: true, op: 'get', found: false }) }
    const before = client.trust.score(liarId)
    await assert.rejects(client.chunks.put(liarAddress, randomBytes(100)), { name: 'MalformedFrameError' })
    assert.ok(client.trust.score(liarId) < before, 'a server that answered a put with a get reply kept its trust')
  })
})
