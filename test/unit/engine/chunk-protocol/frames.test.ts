import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeReply, decodeRequest, encodeFrame, MalformedFrameError, MAX_HEADER_BYTES, type ChunkReply, type ChunkRequest
} from '../../../../node-core/engine/chunk-protocol/frames.ts'
import { MAX_CHUNK_BYTES } from '../../../../node-core/engine/store/chunk-address.ts'

const ADDRESS = 'a'.repeat(64)

function utf8 (text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

function json (value: unknown): Uint8Array {
  return utf8(JSON.stringify(value))
}

function assertMalformed (decode: () => unknown, message?: RegExp): void {
  assert.throws(decode, (err: unknown) => {
    assert.ok(err instanceof MalformedFrameError, `expected MalformedFrameError, got ${String(err)}`)
    assert.equal(err.name, 'MalformedFrameError')
    if (message !== undefined) assert.match(err.message, message)
    return true
  })
}

describe('decodeRequest', () => {
  const valid: ChunkRequest[] = [
    { op: 'put', address: ADDRESS, size: 0 },
    { op: 'put', address: ADDRESS, size: MAX_CHUNK_BYTES },
    { op: 'get', address: ADDRESS },
    { op: 'has', address: '0123456789abcdef'.repeat(4) }
  ]
  for (const request of valid) {
    it(`accepts ${JSON.stringify(request).slice(0, 40)}…`, () => {
      assert.deepEqual(decodeRequest(encodeFrame(request)), request)
    })
  }

  it('rejects bytes that are not JSON', () => {
    assertMalformed(() => decodeRequest(utf8('{"op":"get",')), /request header is not UTF-8 JSON/)
    assertMalformed(() => decodeRequest(utf8('')))
    assertMalformed(() => decodeRequest(utf8('get aaaa')))
  })

  it('rejects bytes that are not UTF-8, even when they would decode loosely', () => {
    const header = json({ op: 'get', address: ADDRESS })
    // An invalid UTF-8 byte inside a JSON string: a lenient decoder would turn it into U+FFFD.
    const bad = Uint8Array.from([...utf8('{"op":"get","address":"'), 0xff, ...utf8('"}')])
    assertMalformed(() => decodeRequest(bad), /not UTF-8 JSON/)
    assertMalformed(() => decodeRequest(Uint8Array.from([0xc3, 0x28])))
    assert.deepEqual(decodeRequest(header), { op: 'get', address: ADDRESS })
  })

  it(`rejects a header larger than ${MAX_HEADER_BYTES} bytes, even when it is valid JSON`, () => {
    const padded = (length: number): Uint8Array => {
      const base = JSON.stringify({ op: 'get', address: ADDRESS })
      return utf8(base + ' '.repeat(length - base.length))
    }
    assert.deepEqual(decodeRequest(padded(MAX_HEADER_BYTES)), { op: 'get', address: ADDRESS })
    assertMalformed(() => decodeRequest(padded(MAX_HEADER_BYTES + 1)), new RegExp(`${MAX_HEADER_BYTES + 1} bytes exceeds ${MAX_HEADER_BYTES} bytes`))
  })

  it('rejects an unknown op', () => {
    assertMalformed(() => decodeRequest(json({ op: 'delete', address: ADDRESS })), /invalid request header/)
    assertMalformed(() => decodeRequest(json({ op: 'GET', address: ADDRESS })))
    assertMalformed(() => decodeRequest(json({ address: ADDRESS })))
  })

  it('rejects extra fields', () => {
    assertMalformed(() => decodeRequest(json({ op: 'get', address: ADDRESS, size: 1 })))
    assertMalformed(() => decodeRequest(json({ op: 'put', address: ADDRESS, size: 1, data: 'x' })))
    // JSON.parse makes "__proto__" an own key: it must count as an extra field, not slip through.
    assertMalformed(() => decodeRequest(utf8(`{"op":"has","address":"${ADDRESS}","__proto__":{"size":1}}`)))
  })

  it('rejects a bad address', () => {
    for (const address of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'z'.repeat(64), '', 42, null]) {
      assertMalformed(() => decodeRequest(json({ op: 'get', address })))
    }
  })

  it('rejects a put size that is negative, fractional, over 1 MiB or not a number', () => {
    for (const size of [-1, 1.5, MAX_CHUNK_BYTES + 1, 2 * MAX_CHUNK_BYTES, '10', null]) {
      assertMalformed(() => decodeRequest(json({ op: 'put', address: ADDRESS, size })))
    }
    assertMalformed(() => decodeRequest(json({ op: 'put', address: ADDRESS })))
  })

  it('rejects JSON that is not an object', () => {
    for (const value of [null, 1, 'get', [{ op: 'get', address: ADDRESS }]]) {
      assertMalformed(() => decodeRequest(json(value)))
    }
  })
})

describe('decodeReply', () => {
  const valid: ChunkReply[] = [
    { ok: true, op: 'put', added: true },
    { ok: true, op: 'get', found: true, size: 10 },
    { ok: true, op: 'get', found: false },
    { ok: true, op: 'has', found: true },
    { ok: false, error: { name: 'StoreFullError', message: 'store is full' } }
  ]
  for (const reply of valid) {
    it(`accepts ${JSON.stringify(reply)}`, () => {
      assert.deepEqual(decodeReply(encodeFrame(reply)), reply)
    })
  }

  it('rejects bytes that are not UTF-8 JSON', () => {
    assertMalformed(() => decodeReply(utf8('ok')), /reply header is not UTF-8 JSON/)
    assertMalformed(() => decodeReply(Uint8Array.from([0x7b, 0xff, 0x7d])))
  })

  it(`rejects a header larger than ${MAX_HEADER_BYTES} bytes`, () => {
    const message = 'x'.repeat(MAX_HEADER_BYTES)
    assertMalformed(() => decodeReply(json({ ok: false, error: { name: 'E', message } })), /reply header of \d+ bytes exceeds/)
  })

  it('rejects unknown ops, extra fields and inconsistent replies', () => {
    assertMalformed(() => decodeReply(json({ ok: true, op: 'delete', found: true })))
    assertMalformed(() => decodeReply(json({ ok: true, op: 'put', added: true, extra: 1 })))
    assertMalformed(() => decodeReply(json({ ok: true, op: 'put', found: true })))
    assertMalformed(() => decodeReply(json({ ok: true, op: 'has', found: true, size: 3 })))
    assertMalformed(() => decodeReply(json({ ok: false, error: { name: 'E', message: 'm', stack: 's' } })))
    assertMalformed(() => decodeReply(json({ ok: false })))
    assertMalformed(() => decodeReply(json({ ok: 'true', op: 'has', found: true })))
  })

  it('rejects a found get whose size is negative, fractional or over 1 MiB', () => {
    for (const size of [-1, 0.5, MAX_CHUNK_BYTES + 1]) {
      assertMalformed(() => decodeReply(json({ ok: true, op: 'get', found: true, size })))
    }
  })

  it('rejects an error name or message too long to be one', () => {
    assertMalformed(() => decodeReply(json({ ok: false, error: { name: 'E'.repeat(101), message: 'm' } })))
    assertMalformed(() => decodeReply(json({ ok: false, error: { name: 'E', message: 'm'.repeat(1001) } })))
  })
})

describe('encodeFrame', () => {
  it('encodes a header as UTF-8 JSON that decodes back', () => {
    const request: ChunkRequest = { op: 'put', address: ADDRESS, size: 3 }
    const bytes = encodeFrame(request)
    assert.equal(new TextDecoder().decode(bytes), JSON.stringify(request))
    assert.ok(bytes.length <= MAX_HEADER_BYTES)
  })
})
