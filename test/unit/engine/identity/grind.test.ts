import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { publicKeyFromSeed } from '../../../../node-core/engine/identity/ed25519-raw.ts'
import { GrindAbortedError, grindKey, grindKeys } from '../../../../node-core/engine/identity/grind.ts'
import { ageOfName, nameHasPrefix } from '../../../../node-core/engine/identity/name.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

describe('grindKey', () => {
  it('finds a key whose name has the prefix and the age byte, and whose seed derives that name', async () => {
    const key = await grindKey({ prefix: '1010', age: 5, workers: 2 })
    assert.equal(key.seed.length, 32)
    assert.equal(key.name.length, 32)
    assert.deepEqual(publicKeyFromSeed(key.seed), key.name)
    assert.equal(ageOfName(key.name), 5)
    assert.equal(key.name[31], 5)
    assert.equal(nameHasPrefix(key.name, '1010'), true)
    assert.equal((key.name[0] ?? 0) >> 4, 0b1010)
    assert.ok(key.attempts >= 1, `attempts ${key.attempts}`)
  })

  it('grinds with a single worker and with the empty prefix', async () => {
    const key = await grindKey({ prefix: '', age: 200, workers: 1 })
    assert.deepEqual(publicKeyFromSeed(key.seed), key.name)
    assert.equal(ageOfName(key.name), 200)
  })

  it('rejects with GrindAbortedError when aborted, for a prefix it cannot find in time', async () => {
    const controller = new AbortController()
    // 40 bits and an age byte: about 2^48 keys, far beyond what a test run can try.
    const grinding = grindKey({ prefix: '1'.repeat(40), age: 5, workers: 2, signal: controller.signal })
    await new Promise<void>(resolve => { setImmediate(resolve) })
    controller.abort()
    await assert.rejects(grinding, (err: unknown) => {
      assert.ok(err instanceof GrindAbortedError)
      assert.equal(err.name, 'GrindAbortedError')
      assert.match(err.message, /prefix "1{40}" and age 5 was aborted/)
      return true
    })
  })

  it('rejects with GrindAbortedError when the signal is already aborted', async () => {
    // An age-5 key with any prefix takes about 256 keys, so a grinder that missed the abort
    // would resolve instead of rejecting.
    const signal = AbortSignal.abort()
    await assert.rejects(grindKey({ prefix: '', age: 5, workers: 1, signal }), { name: 'GrindAbortedError' })
  })

  it('rejects an invalid prefix or age before starting any worker', async () => {
    await assert.rejects(grindKey({ prefix: '10x', age: 5 }), { name: 'RangeError', message: /"prefix" expected/ })
    await assert.rejects(grindKey({ prefix: '1'.repeat(65), age: 5 }), RangeError)
    await assert.rejects(grindKey({ prefix: untyped(1010), age: 5 }), TypeError)
    await assert.rejects(grindKey({ prefix: '', age: 256 }), { name: 'RangeError', message: /"age" expected/ })
    await assert.rejects(grindKey({ prefix: '', age: -1 }), RangeError)
    await assert.rejects(grindKey({ prefix: '', age: untyped('5') }), TypeError)
  })
})

describe('grindKeys', () => {
  it('grinds as many distinct keys as asked for on one pool, each with the prefix and age', async () => {
    const { keys, attempts } = await grindKeys(3, { prefix: '01', age: 9, workers: 2 })
    assert.equal(keys.length, 3)
    assert.equal(new Set(keys.map(key => Buffer.from(key.name).toString('hex'))).size, 3)
    for (const key of keys) {
      assert.deepEqual(publicKeyFromSeed(key.seed), key.name)
      assert.equal(ageOfName(key.name), 9)
      assert.equal(nameHasPrefix(key.name, '01'), true)
    }
    assert.ok(attempts >= 3)
  })

  it('rejects a count that is not a positive integer', async () => {
    for (const count of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(grindKeys(count, { prefix: '', age: 5 }), { name: 'RangeError', message: /"count" expected a positive integer/ }, String(count))
    }
  })

  it('rejects with GrindAbortedError when aborted before it found them all', async () => {
    const controller = new AbortController()
    const grinding = grindKeys(2, { prefix: '0'.repeat(40), age: 1, workers: 1, signal: controller.signal })
    await new Promise<void>(resolve => { setImmediate(resolve) })
    controller.abort()
    await assert.rejects(grinding, GrindAbortedError)
  })
})
