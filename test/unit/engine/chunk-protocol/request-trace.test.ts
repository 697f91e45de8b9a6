import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_TRACE_CAPACITY, RequestTrace } from '../../../../node-core/engine/chunk-protocol/request-trace.ts'

const address = (n: number): string => n.toString(16).padStart(64, '0')

function clock (): () => number {
  let now = 1_700_000_000_000
  return () => now++
}

describe('RequestTrace', () => {
  it('keeps every request, oldest first, while below its capacity', () => {
    const trace = new RequestTrace({ capacity: 4, now: clock() })
    trace.record('get', address(1))
    trace.record('put', address(2))
    trace.record('has', address(3))
    assert.deepEqual(trace.entries(), [
      { at: 1_700_000_000_000, op: 'get', address: address(1) },
      { at: 1_700_000_000_001, op: 'put', address: address(2) },
      { at: 1_700_000_000_002, op: 'has', address: address(3) }
    ])
    assert.equal(trace.recorded, 3)
  })

  it('keeps only the last `capacity` requests once full, in order, and counts the dropped ones', () => {
    const trace = new RequestTrace({ capacity: 3, now: clock() })
    for (let i = 0; i < 8; i++) trace.record('get', address(i))
    assert.deepEqual(trace.entries().map(entry => entry.address), [address(5), address(6), address(7)])
    assert.equal(trace.recorded, 8)
    trace.record('put', address(8))
    assert.deepEqual(trace.entries().map(entry => entry.address), [address(6), address(7), address(8)])
  })

  it('returns the newest `limit` entries, oldest first', () => {
    const trace = new RequestTrace({ capacity: 5, now: clock() })
    for (let i = 0; i < 7; i++) trace.record('get', address(i))
    assert.deepEqual(trace.entries(2).map(entry => entry.address), [address(5), address(6)])
    assert.deepEqual(trace.entries(10).map(entry => entry.address), [2, 3, 4, 5, 6].map(address))
  })

  it('hands out copies: a caller cannot rewrite the trace', () => {
    const trace = new RequestTrace({ capacity: 2, now: clock() })
    trace.record('get', address(1))
    const [entry] = trace.entries()
    assert.ok(entry !== undefined)
    entry.address = address(9)
    assert.equal(trace.entries()[0]?.address, address(1))
  })

  it('holds 2000 requests by default and refuses a capacity that is not a positive integer', () => {
    assert.equal(DEFAULT_TRACE_CAPACITY, 2000)
    const trace = new RequestTrace({ now: clock() })
    for (let i = 0; i < DEFAULT_TRACE_CAPACITY + 10; i++) trace.record('has', address(i))
    const entries = trace.entries()
    assert.equal(entries.length, DEFAULT_TRACE_CAPACITY)
    assert.equal(entries[0]?.address, address(10))
    assert.throws(() => new RequestTrace({ capacity: 0 }), RangeError)
    assert.throws(() => new RequestTrace({ capacity: 1.5 }), RangeError)
  })
})
