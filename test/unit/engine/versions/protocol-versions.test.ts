import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  compareLines, compatibility, formatProtocolId, minimumProtocols, parseAgentVersion, parseProtocolId, SUPPORTED_PROTOCOLS,
  tryParseProtocolId, type SupportedProtocols
} from '../../../../node-core/engine/versions/protocol-versions.ts'
import { CHUNK_PROTOCOL, KAD_PROTOCOL, USER_AGENT, ENGINE_VERSION } from '../../../../node-core/engine/version.ts'

/** A release two majors on, so every kind of older peer exists below it. */
const LOCAL: SupportedProtocols = {
  chunk: { current: '/vault/chunk/3.0.0', previous: '/vault/chunk/2.1.0' },
  kad: { current: '/vault/kad/3.0.0', previous: '/vault/kad/2.0.0' }
}

describe('protocol ids', () => {
  it('parses /vault/<name>/<major>.<minor>.<patch> and formats it back', () => {
    assert.deepEqual(parseProtocolId('/vault/chunk/1.2.3'), { name: 'chunk', major: 1, minor: 2, patch: 3 })
    for (const id of ['/vault/chunk/1.0.0', '/vault/kad/0.9.0', '/vault/version/10.20.30']) {
      assert.equal(formatProtocolId(parseProtocolId(id)), id)
    }
  })

  it('refuses anything else: wrong prefix, missing parts, leading zeros, suffixes', () => {
    for (const id of ['/ipfs/id/1.0.0', '/vault/chunk/1.0', '/vault/chunk/01.0.0', '/vault/chunk/1.0.0/x', '/vault/Chunk/1.0.0', '/vault//1.0.0', '', '/vault/chunk/1.0.0-beta']) {
      assert.equal(tryParseProtocolId(id), undefined, id)
      assert.throws(() => parseProtocolId(id), RangeError, id)
    }
    assert.throws(() => parseProtocolId(7 as unknown as string), TypeError)
  })

  it('orders versions by compatibility line: majors, and minors under major 0 (semver §4)', () => {
    const line = (a: string, b: string): number => Math.sign(compareLines(parseProtocolId(a), parseProtocolId(b)))
    assert.equal(line('/vault/chunk/1.0.0', '/vault/chunk/1.7.3'), 0)
    assert.equal(line('/vault/chunk/0.9.0', '/vault/chunk/0.9.4'), 0)
    assert.equal(line('/vault/chunk/0.8.0', '/vault/chunk/0.9.0'), -1)
    assert.equal(line('/vault/chunk/0.9.0', '/vault/chunk/1.0.0'), -1)
    assert.equal(line('/vault/chunk/2.0.0', '/vault/chunk/1.9.9'), 1)
  })

  it('declares, for this release, the current protocol ids and an older previous line for each', () => {
    assert.equal(SUPPORTED_PROTOCOLS.chunk?.current, CHUNK_PROTOCOL)
    assert.equal(SUPPORTED_PROTOCOLS.kad?.current, KAD_PROTOCOL)
    for (const supported of Object.values(SUPPORTED_PROTOCOLS)) {
      assert.ok(compareLines(parseProtocolId(supported.previous), parseProtocolId(supported.current)) < 0)
    }
    assert.deepEqual(minimumProtocols(LOCAL), ['/vault/chunk/2.1.0', '/vault/kad/2.0.0'])
  })
})

describe('compatibility', () => {
  it('is current when the peer speaks our current line, whatever else it speaks', () => {
    const result = compatibility(LOCAL, ['/ipfs/id/1.0.0', '/vault/chunk/3.0.2', '/vault/chunk/2.1.0', '/vault/kad/3.1.0'])
    assert.equal(result.compatibility, 'current')
    assert.deepEqual(result.protocols.map(p => p.compatibility), ['current', 'current'])
  })

  it('is previous when the peer speaks only our previous line (a vault one version behind is kept)', () => {
    const result = compatibility(LOCAL, ['/vault/chunk/2.1.0', '/vault/kad/2.3.0'])
    assert.equal(result.compatibility, 'previous')
    assert.match(result.reason, /previous version/)
  })

  it('is too-old for a peer two versions behind, and names what we speak', () => {
    const result = compatibility(LOCAL, ['/vault/chunk/1.0.0', '/vault/kad/1.0.0'])
    assert.equal(result.compatibility, 'too-old')
    assert.match(result.reason, /\/vault\/chunk\/1\.0\.0, older than the two versions we speak \(\/vault\/chunk\/3\.0\.0 and \/vault\/chunk\/2\.1\.0\)/)
  })

  it('is too-old when one protocol is too old even if another is current (the worst protocol decides)', () => {
    const result = compatibility(LOCAL, ['/vault/chunk/3.0.0', '/vault/kad/1.0.0'])
    assert.equal(result.compatibility, 'too-old')
    assert.deepEqual(result.protocols.map(p => [p.name, p.compatibility]), [['chunk', 'current'], ['kad', 'too-old']])
  })

  it('is newer when the peer has moved past both our lines', () => {
    const result = compatibility(LOCAL, ['/vault/chunk/4.0.0', '/vault/chunk/5.0.0'])
    assert.equal(result.compatibility, 'newer')
    assert.match(result.reason, /may need an upgrade/)
  })

  it('judges a pre-1.0 line under 0.x: 0.9 is this release\'s previous, 0.8 is too old', () => {
    assert.equal(compatibility(SUPPORTED_PROTOCOLS, ['/vault/chunk/0.9.3']).compatibility, 'previous')
    assert.equal(compatibility(SUPPORTED_PROTOCOLS, ['/vault/chunk/0.8.0']).compatibility, 'too-old')
    assert.equal(compatibility(SUPPORTED_PROTOCOLS, [CHUNK_PROTOCOL, KAD_PROTOCOL]).compatibility, 'current')
  })

  it('does not judge a peer that speaks none of our protocols, nor protocols we do not have', () => {
    const result = compatibility(LOCAL, ['/ipfs/id/1.0.0', '/vault/other/0.1.0'])
    assert.equal(result.compatibility, 'unrelated')
    assert.deepEqual(result.protocols, [])
  })

  it('refuses a supported table whose previous is not older than its current', () => {
    assert.throws(() => compatibility({ chunk: { current: '/vault/chunk/1.0.0', previous: '/vault/chunk/1.1.0' } }, []), RangeError)
    assert.throws(() => compatibility({ chunk: { current: '/vault/chunk/1.0.0', previous: '/vault/kad/0.9.0' } }, []), RangeError)
  })
})

describe('agent versions', () => {
  it('reads the engine version from vault/<semver> and nothing else', () => {
    assert.equal(parseAgentVersion(USER_AGENT), ENGINE_VERSION)
    assert.equal(parseAgentVersion('vault/1.2.3-rc.1'), '1.2.3-rc.1')
    for (const agent of [undefined, 'js-libp2p/3.0.0', 'vault/1.2', 'vault/1.2.3 extra', 'xvault/1.2.3']) {
      assert.equal(parseAgentVersion(agent), undefined, String(agent))
    }
  })
})
