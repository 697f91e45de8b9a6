// The section chain (DESIGN §2, RFC 0059): each new section key is signed by the previous one,
// that is by a threshold of the old elders, back to the genesis key every vault is given. A key
// is trusted when it is reachable from genesis through valid links, so a vault that knows the
// chain can check a decision signed by any of its keys, including one it was away for.
import { z } from 'zod'
import {
  parseKeyAndSignature, publicKeyToBytes, publicKeyToHex, signatureToHex, verify, type G1Point, type G2Point
} from './threshold-bls.ts'

/** Prefix of every signed chain link, so a link signature can never pass for any other message. */
export const SECTION_CHAIN_DOMAIN = 'vault-manager/section-chain/v1'
/** Far more section keys than a network's lifetime of elder changes would hold in one message. */
export const MAX_CHAIN_LINKS = 100_000

const PointHex = z.string().regex(/^[0-9a-f]{96}$/, 'expected a compressed G1 key: 96 lowercase hex digits')
const SignatureHex = z.string().regex(/^[0-9a-f]{192}$/, 'expected a compressed G2 signature: 192 lowercase hex digits')

export const SectionChainLinkSchema = z.object({ key: PointHex, signature: SignatureHex }).strict()
export const SectionChainSchema = z.object({
  genesisKey: PointHex,
  links: z.array(SectionChainLinkSchema).max(MAX_CHAIN_LINKS)
}).strict()
export type SectionChainLinkData = z.infer<typeof SectionChainLinkSchema>
export type SectionChainData = z.infer<typeof SectionChainSchema>

export type ChainProblem = 'malformed' | 'genesis-mismatch' | 'bad-key' | 'repeated-key' | 'bad-signature'
export type ChainVerification =
  | { ok: true, chain: SectionChain }
  | { ok: false, problem: ChainProblem, reason: string, /** 1-based link number, when a link is at fault. */ link?: number }

/** The bytes the previous section key signs to hand over to the next. */
export function chainLinkMessage (previousKey: G1Point, nextKey: G1Point): Uint8Array {
  const domain = new TextEncoder().encode(SECTION_CHAIN_DOMAIN)
  const previous = publicKeyToBytes(previousKey)
  const next = publicKeyToBytes(nextKey)
  const message = new Uint8Array(domain.length + 1 + previous.length + next.length)
  message.set(domain, 0)
  message.set(previous, domain.length + 1)
  message.set(next, domain.length + 1 + previous.length)
  return message
}

/** A chain whose links have all been verified. Only `verifyChain` and `extend` make one. */
export class SectionChain {
  readonly #keys: readonly G1Point[]
  readonly #signatures: readonly G2Point[]
  readonly #known: ReadonlySet<string>

  /** Use verifyChain or SectionChain.fromGenesis: this constructor trusts its arguments. */
  private constructor (keys: readonly G1Point[], signatures: readonly G2Point[]) {
    this.#keys = keys
    this.#signatures = signatures
    this.#known = new Set(keys.map(publicKeyToHex))
  }

  static fromGenesis (genesisKey: G1Point): SectionChain {
    return new SectionChain([genesisKey], [])
  }

  get genesisKey (): G1Point {
    return this.#keys[0] ?? missing()
  }

  get latestKey (): G1Point {
    return this.#keys[this.#keys.length - 1] ?? missing()
  }

  /** Every key of the chain, genesis first. */
  get keys (): readonly G1Point[] {
    return this.#keys
  }

  isKnownKey (key: G1Point): boolean {
    return this.#known.has(publicKeyToHex(key))
  }

  /** The chain with one more key, if `signature` is the latest key's signature over the handover. */
  extend (nextKey: G1Point, signature: G2Point): ChainVerification {
    const link = this.#keys.length
    if (this.isKnownKey(nextKey)) return { ok: false, problem: 'repeated-key', reason: `link ${link}: key ${shortHex(nextKey)} is already in the chain`, link }
    if (!verify(this.latestKey, chainLinkMessage(this.latestKey, nextKey), signature)) {
      return {
        ok: false,
        problem: 'bad-signature',
        reason: `link ${link}: the signature over key ${shortHex(nextKey)} does not verify under the previous section key ${shortHex(this.latestKey)}; it was signed by a key outside the chain, or over other bytes`,
        link
      }
    }
    return { ok: true, chain: new SectionChain([...this.#keys, nextKey], [...this.#signatures, signature]) }
  }

  toData (): SectionChainData {
    return {
      genesisKey: publicKeyToHex(this.genesisKey),
      links: this.#signatures.map((signature, i) => ({ key: publicKeyToHex(this.#keys[i + 1] ?? missing()), signature: signatureToHex(signature) }))
    }
  }
}

/**
 * Verifies a chain read from anywhere (`chain` is parsed here) against the genesis key the vault
 * trusts. Returns the verified chain, or the first problem with the link at fault.
 */
export function verifyChain (genesisKey: G1Point, chain: unknown): ChainVerification {
  const parsed = SectionChainSchema.safeParse(chain)
  if (!parsed.success) return { ok: false, problem: 'malformed', reason: `malformed section chain: ${z.prettifyError(parsed.error)}` }
  if (parsed.data.genesisKey !== publicKeyToHex(genesisKey)) {
    return { ok: false, problem: 'genesis-mismatch', reason: `the chain starts at ${parsed.data.genesisKey.slice(0, 16)}..., not at the trusted genesis key ${shortHex(genesisKey)}` }
  }
  let verified = SectionChain.fromGenesis(genesisKey)
  for (const [i, link] of parsed.data.links.entries()) {
    const parsedLink = parseKeyAndSignature(link.key, link.signature)
    if (!parsedLink.ok) return { ok: false, problem: 'bad-key', reason: `link ${i + 1}: ${parsedLink.reason}`, link: i + 1 }
    const { key, signature } = parsedLink
    const next = verified.extend(key, signature)
    if (!next.ok) return next
    verified = next.chain
  }
  return { ok: true, chain: verified }
}

export function isKnownKey (chain: SectionChain, key: G1Point): boolean {
  return chain.isKnownKey(key)
}

/** A key named in a message: its first 8 bytes, enough to tell keys apart when reading a log. */
function shortHex (key: G1Point): string {
  return `${publicKeyToHex(key).slice(0, 16)}...`
}

function missing (): never {
  throw new Error('a section chain always holds its genesis key')
}
