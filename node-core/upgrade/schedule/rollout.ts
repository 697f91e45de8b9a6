// DESIGN §3.6: when a passing release becomes eligible on this vault. The signed rollout parameters
// give a seed, a start and a duration; each vault's position in [0, 1) is HMAC-SHA256(seed, name),
// a cursor grows from 0 at the start to 1 at the end, and the vault is eligible once the cursor
// passes its position, plus a little random jitter so even vaults at one position do not restart
// together. Anyone can check a vault's place in the schedule; no vault can choose it.
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { RolloutSchema } from '../../release/release-custom.ts'

export type Rollout = z.output<typeof RolloutSchema>

/** Jitter is drawn from [0, this]: an hour spreads restarts without holding a release back for long. */
export const MAX_ROLLOUT_JITTER_MS = 60 * 60 * 1000

const SEED = /^[0-9a-f]{64}$/
const TWO_TO_53 = 2 ** 53

function assertVaultName (vaultName: unknown): asserts vaultName is string {
  if (typeof vaultName !== 'string') throw new TypeError(`"vaultName" expected a non-empty string, got ${typeof vaultName}`)
  if (vaultName.length === 0) throw new RangeError('"vaultName" expected a non-empty string, got an empty string')
}

function assertTime (name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected milliseconds since 1970 as an integer, got ${typeof value}`)
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${name}" expected milliseconds since 1970 as an integer, got ${value}`)
}

function parseRollout (rollout: unknown): Rollout {
  const parsed = RolloutSchema.safeParse(rollout)
  if (!parsed.success) throw new RangeError(`"rollout" expected signed rollout parameters {seed, start, durationSeconds}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The vault's place in the rollout: the MAC's first 53 bits, big-endian, over 2^53. */
export function rolloutPosition (seedHex: string, vaultName: string): number {
  if (typeof seedHex !== 'string') throw new TypeError(`"seedHex" expected 32 bytes as 64 lowercase hex digits, got ${typeof seedHex}`)
  if (!SEED.test(seedHex)) throw new RangeError(`"seedHex" expected 32 bytes as 64 lowercase hex digits, got ${JSON.stringify(seedHex.slice(0, 80))}`)
  assertVaultName(vaultName)
  const mac = hmac(sha256, hexToBytes(seedHex), utf8ToBytes(vaultName))
  const view = new DataView(mac.buffer, mac.byteOffset, mac.byteLength)
  return (view.getUint32(0) * 2 ** 21 + (view.getUint32(4) >>> 11)) / TWO_TO_53
}

/** How far the rollout has come at `now`: 0 before it starts, 1 once its duration has passed. */
export function rolloutCursor (rollout: Rollout, now: number): number {
  const { start, durationSeconds } = parseRollout(rollout)
  assertTime('now', now)
  const elapsed = now - Date.parse(start)
  return Math.min(1, Math.max(0, elapsed / (durationSeconds * 1000)))
}

/** Draws the jitter from a random source giving values in [0, 1): a whole number of ms up to MAX_ROLLOUT_JITTER_MS. */
export function drawRolloutJitter (random: () => number): number {
  if (typeof random !== 'function') throw new TypeError(`"random" expected a function returning a number in [0, 1), got ${typeof random}`)
  const value = random()
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new RangeError(`"random" expected to return a number in [0, 1), got ${String(value)}`)
  return Math.floor(value * (MAX_ROLLOUT_JITTER_MS + 1))
}

function assertJitter (jitterMs: unknown): asserts jitterMs is number {
  if (typeof jitterMs !== 'number') throw new TypeError(`"jitterMs" expected an integer from 0 to ${MAX_ROLLOUT_JITTER_MS}, got ${typeof jitterMs}`)
  if (!Number.isInteger(jitterMs) || jitterMs < 0 || jitterMs > MAX_ROLLOUT_JITTER_MS) throw new RangeError(`"jitterMs" expected an integer from 0 to ${MAX_ROLLOUT_JITTER_MS}, got ${jitterMs}`)
}

/**
 * When the vault becomes eligible: the first whole millisecond at which the cursor, held back by
 * the jitter, reaches the vault's position. Computed through the cursor itself, so isEligible and
 * the cursor never disagree by a rounding.
 */
export function eligibleAt (rollout: Rollout, vaultName: string, jitterMs: number): number {
  const { seed, start, durationSeconds } = parseRollout(rollout)
  assertJitter(jitterMs)
  const position = rolloutPosition(seed, vaultName)
  const duration = durationSeconds * 1000
  let offset = Math.ceil(position * duration)
  while (offset / duration < position) offset++
  while (offset > 0 && (offset - 1) / duration >= position) offset--
  return Date.parse(start) + offset + jitterMs
}

export function isEligible (rollout: Rollout, vaultName: string, jitterMs: number, now: number): boolean {
  assertTime('now', now)
  return now >= eligibleAt(rollout, vaultName, jitterMs)
}
