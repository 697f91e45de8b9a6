import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { createPrng } from '../../../../node-core/section/rules/prng.ts'
import { drawRolloutJitter, eligibleAt, isEligible, MAX_ROLLOUT_JITTER_MS, rolloutCursor, rolloutPosition, type Rollout } from '../../../../node-core/upgrade/schedule/rollout.ts'

function untyped<T> (value: unknown): T {
  return value as T
}

const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
const ROLLOUT: Rollout = { seed: SEED, start: '2025-03-01T12:00:00Z', durationSeconds: 7 * 24 * 3600 }
const START = Date.UTC(2025, 2, 1, 12)
const DURATION = ROLLOUT.durationSeconds * 1000

function names (count: number, seed: number): string[] {
  const prng = createPrng(seed)
  return Array.from({ length: count }, () => `12D3KooW${Buffer.from(prng.bytes(24)).toString('base64url')}`)
}

describe('rolloutPosition', () => {
  it('reads the first 53 bits of HMAC-SHA256(seed, name)', () => {
    // Python 3: hmac.new(bytes.fromhex(SEED), b'12D3KooWExampleVaultName', hashlib.sha256).hexdigest()
    //   → 2a7fe7bb2f40a31f6e617ce8ad47b7b0ea21867e5abfdc45496d917237118106
    // int('2a7fe7bb2f40a31f', 16) >> 11 = 1495322784557076; / 2**53 = 0.16601417846618682
    assert.equal(rolloutPosition(SEED, '12D3KooWExampleVaultName'), 1495322784557076 / 2 ** 53)
  })

  it("agrees with node:crypto's HMAC for many names", () => {
    for (const name of names(200, 1)) {
      const mac = createHmac('sha256', Buffer.from(SEED, 'hex')).update(name, 'utf8').digest()
      const expected = Number(mac.readBigUInt64BE(0) >> 11n) / 2 ** 53
      assert.equal(rolloutPosition(SEED, name), expected, name)
    }
  })

  it('is the same for the same seed and name, and unrelated under another seed', () => {
    const otherSeed = 'ff'.repeat(32)
    const list = names(20_000, 2)
    const first = list.map(name => rolloutPosition(SEED, name))
    assert.deepEqual(list.slice(0, 50).map(name => rolloutPosition(SEED, name)), first.slice(0, 50))
    const second = list.map(name => rolloutPosition(otherSeed, name))
    // Pearson correlation of two independent uniforms over 20,000 names: standard deviation 0.007.
    const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length
    const [mx, my] = [mean(first), mean(second)]
    let [sxy, sxx, syy] = [0, 0, 0]
    first.forEach((x, i) => {
      const y = second[i] ?? 0
      sxy += (x - mx) * (y - my)
      sxx += (x - mx) ** 2
      syy += (y - my) ** 2
    })
    assert.ok(Math.abs(sxy / Math.sqrt(sxx * syy)) < 0.03)
  })

  it('spreads names evenly over [0, 1)', () => {
    const positions = names(20_000, 3).map(name => rolloutPosition(SEED, name))
    assert.ok(positions.every(p => p >= 0 && p < 1))
    // Chi-square over 20 equal bins: 19 degrees of freedom, 43.82 at the 0.001 level.
    const bins = new Array<number>(20).fill(0)
    for (const p of positions) bins[Math.floor(p * 20)] = (bins[Math.floor(p * 20)] ?? 0) + 1
    const expected = positions.length / 20
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0)
    assert.ok(chiSquare < 43.82, `chi-square ${chiSquare}`)
    // Kolmogorov-Smirnov: D · √n < 1.95 at the 0.001 level.
    const sorted = [...positions].sort((a, b) => a - b)
    const d = Math.max(...sorted.map((p, i) => Math.max((i + 1) / sorted.length - p, p - i / sorted.length)))
    assert.ok(d * Math.sqrt(sorted.length) < 1.95, `D = ${d}`)
  })

  it('refuses a seed that is not 64 lowercase hex digits, or an empty name', () => {
    assert.throws(() => rolloutPosition(SEED.toUpperCase(), 'a'), { name: 'RangeError', message: /^"seedHex" expected 32 bytes as 64 lowercase hex digits/ })
    assert.throws(() => rolloutPosition(SEED.slice(2), 'a'), { name: 'RangeError' })
    assert.throws(() => rolloutPosition(untyped(42), 'a'), { name: 'TypeError' })
    assert.throws(() => rolloutPosition(SEED, ''), { name: 'RangeError', message: '"vaultName" expected a non-empty string, got an empty string' })
    assert.throws(() => rolloutPosition(SEED, untyped(null)), { name: 'TypeError' })
  })
})

describe('rolloutCursor', () => {
  it('is 0 before the start, grows with time, and stays at 1 after the end', () => {
    assert.equal(rolloutCursor(ROLLOUT, START - 1000), 0)
    assert.equal(rolloutCursor(ROLLOUT, START), 0)
    assert.equal(rolloutCursor(ROLLOUT, START + DURATION / 2), 0.5)
    assert.equal(rolloutCursor(ROLLOUT, START + DURATION), 1)
    assert.equal(rolloutCursor(ROLLOUT, START + 10 * DURATION), 1)
    let previous = -1
    for (let t = START - DURATION / 10; t <= START + 1.1 * DURATION; t += DURATION / 997) {
      const cursor = rolloutCursor(ROLLOUT, Math.round(t))
      assert.ok(cursor >= previous, `cursor went back at ${t}`)
      previous = cursor
    }
  })

  it('refuses rollout parameters that do not parse, and a time that is not whole milliseconds', () => {
    assert.throws(() => rolloutCursor({ ...ROLLOUT, durationSeconds: 0 }, START), { name: 'RangeError', message: /^"rollout" expected signed rollout parameters/ })
    assert.throws(() => rolloutCursor({ ...ROLLOUT, start: 'tomorrow' }, START), { name: 'RangeError' })
    assert.throws(() => rolloutCursor(ROLLOUT, START + 0.5), { name: 'RangeError' })
  })
})

describe('eligibleAt and isEligible', () => {
  it('make a vault eligible exactly when the cursor, less the jitter, reaches its position', () => {
    const jitters = createPrng(4)
    for (const name of names(500, 5)) {
      const jitter = jitters.nextInt(MAX_ROLLOUT_JITTER_MS + 1)
      const at = eligibleAt(ROLLOUT, name, jitter)
      const position = rolloutPosition(SEED, name)
      assert.ok(rolloutCursor(ROLLOUT, at - jitter) >= position)
      assert.ok(rolloutCursor(ROLLOUT, at - jitter - 1) < position)
      assert.equal(isEligible(ROLLOUT, name, jitter, at - 1), false)
      assert.equal(isEligible(ROLLOUT, name, jitter, at), true)
      assert.ok(at >= START && at <= START + DURATION + MAX_ROLLOUT_JITTER_MS)
    }
  })

  it('puts the known vault a sixth of the way through a week, plus its jitter', () => {
    const at = eligibleAt(ROLLOUT, '12D3KooWExampleVaultName', 1234)
    assert.equal(at, START + Math.ceil(0.16601417846618682 * DURATION) + 1234)
  })

  it('refuses a jitter outside the window', () => {
    assert.throws(() => eligibleAt(ROLLOUT, 'v', MAX_ROLLOUT_JITTER_MS + 1), { name: 'RangeError', message: `"jitterMs" expected an integer from 0 to ${MAX_ROLLOUT_JITTER_MS}, got ${MAX_ROLLOUT_JITTER_MS + 1}` })
    assert.throws(() => eligibleAt(ROLLOUT, 'v', -1), { name: 'RangeError' })
    assert.throws(() => eligibleAt(ROLLOUT, 'v', untyped('5')), { name: 'TypeError' })
  })
})

describe('drawRolloutJitter', () => {
  it('maps [0, 1) onto whole milliseconds from 0 to the window', () => {
    assert.equal(drawRolloutJitter(() => 0), 0)
    assert.equal(drawRolloutJitter(() => 1 - 2 ** -53), MAX_ROLLOUT_JITTER_MS)
    assert.equal(drawRolloutJitter(() => 0.5), Math.floor(0.5 * (MAX_ROLLOUT_JITTER_MS + 1)))
    assert.equal(MAX_ROLLOUT_JITTER_MS, 3_600_000)
  })

  it('refuses a random source that leaves [0, 1)', () => {
    for (const value of [1, -0.1, Number.NaN]) assert.throws(() => drawRolloutJitter(() => value), { name: 'RangeError' })
    assert.throws(() => drawRolloutJitter(untyped(0.5)), { name: 'TypeError' })
  })
})
