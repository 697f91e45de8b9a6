// Earnings (DESIGN §2 "Earnings"): at each reward epoch the elders sign a reward record splitting
// the pool among adults that held and served data, weighted by 2^age for age >= 6. A vault's
// earnings are the sum of signed records naming it, each verified before it is counted.
// Node-age reference §10: the 2021 reward_calc paid only age >= 6, in proportion to 2^age.
import { z } from 'zod'
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { namedError } from '../../../contract/named-error.ts'
import { ageOfName } from '../../engine/identity/name.ts'
import { SectionChain } from '../crypto/section-chain.ts'
import {
  combineShares, groupPublicKey, hashMessage, parseKeyAndSignature, publicKeyShare, publicKeyToHex,
  signatureToHex, signShare, verify, verifyShare, type G1Point, type G2Point, type MessageInput, type
  PublicKeySet, type SecretKeyShare, type SignatureShare
} from '../crypto/threshold-bls.ts'

/** Prefix of every signed reward record, so its signature never passes for a decision or a chain link. */
export const REWARD_RECORD_DOMAIN = 'vault-manager/reward-record/v1'
/** DESIGN §2: age-5 newcomers earn nothing until their first relocation. */
export const MIN_EARNING_AGE = 6
/** A section has at most a few hundred adults; more shares in one record is refused before any hashing. */
export const MAX_SHARES_PER_RECORD = 4096

const VaultNameHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a vault name: 64 lowercase hex digits')
const Decimal = z.string().regex(/^(0|[1-9][0-9]{0,80})$/, 'expected a non-negative integer in decimal')
const LedgerUnits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const RewardShareSchema = z.object({
  name: VaultNameHex,
  age: z.number().int().min(0).max(255),
  /** 2^age as a decimal string: 2^255 does not fit a JSON number. */
  weight: Decimal,
  amount: LedgerUnits
}).strict()
export type RewardShare = z.infer<typeof RewardShareSchema>

export const UnsignedRewardRecordSchema = z.object({
  sectionPrefix: z.string().regex(/^[01]{0,64}$/, 'expected a section prefix: up to 64 bits of 0s and 1s'),
  epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Ledger units paid in by clients' store costs during the epoch. */
  pool: LedgerUnits,
  shares: z.array(RewardShareSchema).max(MAX_SHARES_PER_RECORD)
}).strict()
export type UnsignedRewardRecord = z.infer<typeof UnsignedRewardRecordSchema>

export const RewardRecordSchema = UnsignedRewardRecordSchema.extend({
  sectionKey: z.string().regex(/^[0-9a-f]{96}$/, 'expected a compressed G1 key: 96 lowercase hex digits'),
  signature: z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')
}).strict()
export type RewardRecord = z.infer<typeof RewardRecordSchema>

export interface AdultService {
  /** The vault's name in hex; its age is the name's last byte. */
  name: string
  age: number
  held: boolean
  served: boolean
}

/** No adult held and served data at age >= 6: the pool stays with the section for the next epoch. */
export class NoEligibleAdultsError extends namedError('NoEligibleAdultsError') {}
/** A share of an elder does not verify, or the combined signature does not. */
export class RewardSigningError extends namedError('RewardSigningError') {}
/** A record failed verification; `problem` says which rule it broke. */
export class RewardRecordRejectedError extends namedError('RewardRecordRejectedError') {
  problem: RewardRecordProblem = 'malformed'
}

/** The weight of an adult's share: 2^age from age 6, nothing below. */
export function rewardWeight (age: number): bigint {
  if (!Number.isInteger(age) || age < 0 || age > 255) throw new RangeError(`"age" expected an integer from 0 to 255, got ${age}`)
  return age >= MIN_EARNING_AGE ? 1n << BigInt(age) : 0n
}

/**
 * Splits `pool` among the adults that held AND served data at age >= 6, in proportion to 2^age.
 * Each gets floor(pool * w / W); the units left over go one each to the largest remainders, ties
 * to the lower name, so amounts sum exactly to the pool and every elder computes the same split.
 * Shares are sorted by name; adults that earn nothing are not listed.
 */
export function splitRewardPool (options: { pool: number, adults: readonly AdultService[] }): RewardShare[] {
  const { pool, adults } = options
  if (!Number.isSafeInteger(pool) || pool < 0) throw new RangeError(`"pool" expected a non-negative safe integer, got ${pool}`)
  const seen = new Set<string>()
  const eligible: Array<{ name: string, age: number, weight: bigint }> = []
  for (const adult of adults) {
    if (!VaultNameHex.safeParse(adult.name).success) throw new RangeError(`"adult.name" expected 64 lowercase hex digits, got "${adult.name}"`)
    if (seen.has(adult.name)) throw new RangeError(`"adults" list ${adult.name.slice(0, 16)}... twice`)
    seen.add(adult.name)
    if (adult.age !== ageOfName(hexToBytes(adult.name))) throw new RangeError(`"adult.age" ${adult.age} is not the last byte of its name ${adult.name.slice(0, 16)}...`)
    const weight = rewardWeight(adult.age)
    if (adult.held && adult.served && weight > 0n) eligible.push({ name: adult.name, age: adult.age, weight })
  }
  if (eligible.length === 0) throw new NoEligibleAdultsError(`no adult of age >= ${MIN_EARNING_AGE} held and served data; the pool of ${pool} carries over`)
  return allocate(BigInt(pool), eligible).map(({ name, age, weight, amount }) => ({ name, age, weight: weight.toString(), amount: Number(amount) }))
}

function allocate<T extends { name: string, weight: bigint }> (pool: bigint, entries: readonly T[]): Array<T & { amount: bigint }> {
  const total = entries.reduce((sum, e) => sum + e.weight, 0n)
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name))
  const parts = sorted.map(entry => ({ entry, amount: pool * entry.weight / total, remainder: pool * entry.weight % total }))
  let leftover = pool - parts.reduce((sum, p) => sum + p.amount, 0n)
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? compareNames(a.entry.name, b.entry.name) : a.remainder > b.remainder ? -1 : 1))
  for (const part of byRemainder) {
    if (leftover === 0n) break
    part.amount += 1n
    leftover -= 1n
  }
  return parts.map(p => ({ ...p.entry, amount: p.amount }))
}

function compareNames (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The bytes elders sign: the domain, a zero byte, then the record as JSON with fields in a fixed
 * order and shares sorted by name. Only strings and integers occur, so equal records give equal bytes.
 */
export function encodeRewardRecord (record: UnsignedRewardRecord): Uint8Array {
  const checked = UnsignedRewardRecordSchema.parse({ sectionPrefix: record.sectionPrefix, epoch: record.epoch, pool: record.pool, shares: record.shares })
  const shares = [...checked.shares].sort((a, b) => compareNames(a.name, b.name)).map(s => [s.name, s.age, s.weight, s.amount])
  return new TextEncoder().encode(`${REWARD_RECORD_DOMAIN}\u0000${JSON.stringify([checked.sectionPrefix, checked.epoch, checked.pool, shares])}`)
}

/** One elder's signature share over a record. */
export function signRewardShare (record: UnsignedRewardRecord, secretKeyShare: SecretKeyShare, message: MessageInput = encodeRewardRecord(record)): SignatureShare {
  return signShare(secretKeyShare, message)
}

/**
 * Combines elders' signature shares into the section's signature over the record. Each share is
 * checked against its elder's public key share first, so one bad elder cannot spoil the record
 * while t+1 good shares remain.
 */
export function signRewardRecord (record: UnsignedRewardRecord, publicKeySet: PublicKeySet, shares: readonly SignatureShare[]): RewardRecord {
  const problem = checkRules(record)
  if (problem !== undefined) throw new RewardSigningError(`refusing to sign a reward record that breaks the rules: ${problem.reason}`)
  const message = hashMessage(encodeRewardRecord(record))
  const good = shares.filter(share => verifyShare(publicKeyShare(publicKeySet, share.index), message, share))
  let signature: G2Point
  try {
    signature = combineShares(good, publicKeySet.threshold)
  } catch (err) {
    throw new RewardSigningError(`${shares.length - good.length} of ${shares.length} signature shares do not verify: ${(err as Error).message}`, { cause: err })
  }
  const key = groupPublicKey(publicKeySet)
  if (!verify(key, message, signature)) throw new RewardSigningError('the combined signature does not verify under the section key')
  return { sectionPrefix: record.sectionPrefix, epoch: record.epoch, pool: record.pool, shares: [...record.shares], sectionKey: publicKeyToHex(key), signature: signatureToHex(signature) }
}

export type RewardRecordProblem =
  | 'malformed' | 'duplicate-name' | 'wrong-age' | 'wrong-weight' | 'amounts-not-summing-to-pool'
  | 'amounts-not-the-split' | 'unknown-section-key' | 'bad-signature'
export type RewardRecordVerification =
  | { ok: true, record: RewardRecord }
  | { ok: false, problem: RewardRecordProblem, reason: string }

interface RuleProblem { problem: RewardRecordProblem, reason: string }

/** The rules a record's content must follow, whoever signed it. Cheap: checked before any pairing. */
function checkRules (record: UnsignedRewardRecord): RuleProblem | undefined {
  const names = new Set<string>()
  for (const share of record.shares) {
    if (names.has(share.name)) return { problem: 'duplicate-name', reason: `vault ${share.name.slice(0, 16)}... has two shares` }
    names.add(share.name)
    const age = ageOfName(hexToBytes(share.name))
    if (share.age !== age) return { problem: 'wrong-age', reason: `vault ${share.name.slice(0, 16)}... is listed at age ${share.age}, but its name says age ${age}` }
    const weight = rewardWeight(share.age)
    if (weight === 0n) return { problem: 'wrong-weight', reason: `vault ${share.name.slice(0, 16)}... of age ${share.age} is below the earning age ${MIN_EARNING_AGE}` }
    if (share.weight !== weight.toString()) return { problem: 'wrong-weight', reason: `vault ${share.name.slice(0, 16)}... of age ${share.age} has weight ${share.weight.slice(0, 24)}, not 2^${share.age}` }
  }
  const sum = record.shares.reduce((total, share) => total + BigInt(share.amount), 0n)
  if (sum !== BigInt(record.pool)) return { problem: 'amounts-not-summing-to-pool', reason: `amounts sum to ${sum}, but the pool is ${record.pool}` }
  if (record.shares.length === 0) return undefined
  const expected = allocate(BigInt(record.pool), record.shares.map(s => ({ name: s.name, weight: BigInt(s.weight) })))
  for (const { name, amount } of expected) {
    const listed = record.shares.find(s => s.name === name)
    if (listed !== undefined && BigInt(listed.amount) !== amount) {
      return { problem: 'amounts-not-the-split', reason: `vault ${name.slice(0, 16)}... is given ${listed.amount}, but the 2^age split of ${record.pool} gives it ${amount}` }
    }
  }
  return undefined
}

/**
 * Accepts a record only if it is well formed, follows the split rules, and carries a signature
 * that verifies under a section key this vault knows. A record signed by any other key is a
 * forgery, however well it is formed.
 */
export function verifyRewardRecord (value: unknown, knownSectionKeys: SectionChain | readonly G1Point[]): RewardRecordVerification {
  const parsed = RewardRecordSchema.safeParse(value)
  if (!parsed.success) return { ok: false, problem: 'malformed', reason: `malformed reward record: ${z.prettifyError(parsed.error)}` }
  const record = parsed.data
  const broken = checkRules(record)
  if (broken !== undefined) return { ok: false, ...broken }
  const parsedSignature = parseKeyAndSignature(record.sectionKey, record.signature)
  if (!parsedSignature.ok) return { ok: false, problem: 'malformed', reason: `malformed reward record: ${parsedSignature.reason}` }
  const { key, signature } = parsedSignature
  const known = knownSectionKeys instanceof SectionChain ? knownSectionKeys.isKnownKey(key) : knownSectionKeys.some(k => k.equals(key))
  if (!known) return { ok: false, problem: 'unknown-section-key', reason: `forged: signed by key ${record.sectionKey.slice(0, 16)}..., which is not a known key of section "${record.sectionPrefix}"` }
  if (!verify(key, encodeRewardRecord(record), signature)) {
    return { ok: false, problem: 'bad-signature', reason: `forged or altered: the signature does not verify under section key ${record.sectionKey.slice(0, 16)}...` }
  }
  return { ok: true, record }
}

/** verifyRewardRecord for callers that want an exception: a RewardRecordRejectedError carrying the problem. */
export function assertRewardRecord (value: unknown, knownSectionKeys: SectionChain | readonly G1Point[]): RewardRecord {
  const result = verifyRewardRecord(value, knownSectionKeys)
  if (result.ok) return result.record
  const error = new RewardRecordRejectedError(result.reason)
  error.problem = result.problem
  throw error
}

export interface Earnings {
  /** Ledger units from verified records naming the vault, each epoch of each section once. */
  total: bigint
  counted: Array<{ sectionPrefix: string, epoch: number, amount: number }>
  rejected: Array<{ index: number, problem: RewardRecordProblem | 'replayed' | 'conflicting', reason: string }>
}

/**
 * A vault's earnings: the sum of its amounts in verified records. Rejected records are skipped and
 * reported. A record for an epoch already counted is a replay and counts once; a different record
 * for the same epoch (which honest elders never sign) is reported as conflicting and not counted.
 */
export function earningsOf (name: string, records: readonly unknown[], knownSectionKeys: SectionChain | readonly G1Point[]): Earnings {
  if (!VaultNameHex.safeParse(name).success) throw new RangeError(`"name" expected 64 lowercase hex digits, got "${name}"`)
  const earnings: Earnings = { total: 0n, counted: [], rejected: [] }
  const seen = new Map<string, string>()
  records.forEach((value, index) => {
    const result = verifyRewardRecord(value, knownSectionKeys)
    if (!result.ok) {
      earnings.rejected.push({ index, problem: result.problem, reason: result.reason })
      return
    }
    const { record } = result
    const epochKey = `${record.sectionPrefix}/${record.epoch}`
    // The content, not the signature: a record re-signed under a newer section key is still a replay.
    const digest = bytesToHex(sha256(encodeRewardRecord(record)))
    const previous = seen.get(epochKey)
    if (previous !== undefined) {
      earnings.rejected.push(previous === digest
        ? { index, problem: 'replayed', reason: `epoch ${record.epoch} of section "${record.sectionPrefix}" is already counted` }
        : { index, problem: 'conflicting', reason: `a different record for epoch ${record.epoch} of section "${record.sectionPrefix}" is already counted` })
      return
    }
    seen.set(epochKey, digest)
    const share = record.shares.find(s => s.name === name)
    if (share === undefined) return
    earnings.total += BigInt(share.amount)
    earnings.counted.push({ sectionPrefix: record.sectionPrefix, epoch: record.epoch, amount: share.amount })
  })
  return earnings
}
