import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { StoreWriteError } from '../../../../node-core/engine/chunk-protocol/chunk-service.ts'
import type { Placement } from '../../../../node-core/engine/network/placement.ts'
import type { SectionView } from '../../../../node-core/engine/replication/holder-order.ts'
import { FullHolders, isFullAnswer, placeChunk, SectionPlacement } from '../../../../node-core/engine/replication/section-placement.ts'
import { peerIdOfHexName } from '../../../../node-core/engine/section/section-service.ts'
import { addressToBytes } from '../../../../node-core/engine/store/chunk-address.ts'
import { StoreFullError } from '../../../../node-core/engine/store/chunk-store.ts'
import { addressOf, nameOf, nearest, view } from './fixtures.ts'

const members = Array.from({ length: 9 }, (_, i) => nameOf(`p${i}`))
const elders = members.slice(0, 3)
const adults = members.slice(3)
const address = addressOf('placed')

function placement (section: SectionView | undefined, options: { ignored?: Set<string>, selfFull?: boolean, full?: FullHolders, self?: string } = {}): { placement: SectionPlacement, fallbackCalls: number[] } {
  const fallbackCalls: number[] = []
  const fallback: Placement = { closest: async (_address, count) => { fallbackCalls.push(count); return [] } }
  return {
    placement: new SectionPlacement({
      self: peerIdOfHexName(options.self ?? adults[0] ?? ''),
      view: () => section,
      fallback,
      isIgnored: peer => options.ignored?.has(peer.toString()) === true,
      selfFull: () => options.selfFull === true,
      full: options.full ?? new FullHolders()
    }),
    fallbackCalls
  }
}

const names = (peers: PeerId[]): string[] => peers.map(peer => Buffer.from(peer.publicKey?.raw ?? []).toString('hex'))

describe('SectionPlacement', () => {
  it('uses the known-peers placement while no section is known', async () => {
    const { placement: p, fallbackCalls } = placement(undefined)
    assert.deepEqual(await p.closest(addressToBytes(address), 4), [])
    assert.deepEqual(fallbackCalls, [4])
  })

  it('places on the nearest active adults of the section, then the elders, this vault included', async () => {
    const { placement: p, fallbackCalls } = placement(view(members, elders, [adults[1] ?? '']))
    const active = adults.filter(name => name !== adults[1])
    assert.deepEqual(names(await p.closest(addressToBytes(address), 4)), nearest(address, active).slice(0, 4))
    assert.deepEqual(names(await p.closest(addressToBytes(address), 100)), [...nearest(address, active), ...nearest(address, elders)])
    assert.deepEqual(fallbackCalls, [])
  })

  it('skips a member that answered full until the next generation, a locally ignored one, and itself when its store is full', async () => {
    const full = new FullHolders()
    const order = nearest(address, adults)
    const [first, second, third] = order
    assert.ok(first !== undefined && second !== undefined && third !== undefined)
    const self = third
    const { placement: p } = placement(view(members, elders, [], 4), { full, ignored: new Set([peerIdOfHexName(second).toString()]), selfFull: true, self })
    p.markFull(peerIdOfHexName(first))
    const chosen = names(await p.closest(addressToBytes(address), 3))
    assert.deepEqual(chosen, order.filter(name => name !== first && name !== second && name !== self).slice(0, 3))
    assert.equal(full.isFull(first, 4), true)
    assert.equal(full.isFull(first, 5), false, 'a new generation asks a full member again')
  })
})

describe('SectionPlacement.readers', () => {
  it('reads from the holders in order, paused and full ones included, but not from an ignored peer', async () => {
    const paused = adults[1] ?? ''
    const ignored = adults[2] ?? ''
    const full = new FullHolders()
    const { placement: p, fallbackCalls } = placement(view(members, elders, [paused], 2), { full, ignored: new Set([peerIdOfHexName(ignored).toString()]) })
    const nearestAdult = nearest(address, adults.filter(name => name !== paused))[0] ?? ''
    full.mark(nearestAdult, 2)
    const readers = names(await p.readers(addressToBytes(address), 100))
    const active = adults.filter(name => name !== paused && name !== ignored)
    assert.deepEqual(readers, [...nearest(address, active), ...nearest(address, elders), paused])
    assert.ok(readers.includes(nearestAdult))
    assert.deepEqual(fallbackCalls, [])
  })
})

describe('isFullAnswer', () => {
  it('is a full store or a full disk, as a remote vault names them, and nothing else', () => {
    assert.equal(isFullAnswer(new StoreFullError('store is full')), true)
    assert.equal(isFullAnswer(new StoreWriteError('this vault could not write the chunk to its store (ENOSPC)')), true)
    assert.equal(isFullAnswer(new StoreWriteError('this vault could not write the chunk to its store (EDQUOT)')), true)
    assert.equal(isFullAnswer(new StoreWriteError('this vault could not write the chunk to its store (ENOENT)')), false)
    assert.equal(isFullAnswer(Object.assign(new Error('no space'), { code: 'ENOSPC' })), true)
    assert.equal(isFullAnswer(new Error('connection refused')), false)
    assert.equal(isFullAnswer('ENOSPC'), false)
  })
})

describe('placeChunk', () => {
  const peers = members.map(peerIdOfHexName)

  it('puts on the first candidates, a full or failing one handing its place to the next; never more than the copies', async () => {
    const put: string[] = []
    const fullOnes: string[] = []
    const answers = new Map<string, Error>([
      [peers[1]?.toString() ?? '', new StoreFullError('store is full')],
      [peers[2]?.toString() ?? '', new Error('connection refused')]
    ])
    const placed = await placeChunk(peers, 4, async peer => {
      put.push(peer.toString())
      const answer = answers.get(peer.toString())
      if (answer !== undefined) throw answer
    }, peer => { fullOnes.push(peer.toString()) })
    const expected = [peers[0], peers[3], peers[4], peers[5]].map(peer => peer?.toString())
    assert.deepEqual(placed.holders.map(peer => peer.toString()).sort(), [...expected].sort())
    assert.equal(placed.errors.length, 2)
    assert.deepEqual(fullOnes, [peers[1]?.toString()])
    assert.equal(put.length, 6, 'no candidate past the ones needed is asked')
  })

  it('reports every error when no candidate accepts', async () => {
    const placed = await placeChunk(peers.slice(0, 3), 4, async () => { throw new Error('down') })
    assert.deepEqual(placed.holders, [])
    assert.equal(placed.errors.length, 3)
  })
})
