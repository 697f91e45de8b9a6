// Defaults of the section protocol (issue 3, DESIGN §2), in one place as js-libp2p keeps a
// service's constants. Times are upper bounds for silent peers: every round and vote moves on as
// soon as the messages it waits for have arrived.
import { ELDER_COUNT } from '../../section/rules/elders.ts'

export const SECTION_PROTOCOL = '/vault/section/1.0.0'
/**
 * One section, the whole network ('' prefix), while the network is small: the split rule at
 * 14/14 (section/rules/split.ts) is modelled but not yet run live.
 */
export const NETWORK_PREFIX = ''
/** Largest frame: a section-info with its member list is the biggest message (about 70 KB at the member limit). */
export const MAX_SECTION_FRAME_BYTES = 256 * 1024
/** Members a section message may list: far above a section that splits at 2 x 14. */
export const MAX_SECTION_MEMBERS = 1024
/** A forming vault names this many of the oldest vaults it knows: enough to agree on 7 elders. */
export const MAX_HELLO_NAMES = 2 * ELDER_COUNT
/** DKG messages kept for a session this vault has not started yet (another elder settled first). */
export const MAX_BUFFERED_DKG_MESSAGES = 64
export const MAX_BUFFERED_DKG_SESSIONS = 4
/** Decisions kept for a generation this vault has not reached yet. */
export const MAX_BUFFERED_DECISIONS = 16
/** Join requests an elder holds at once. */
export const MAX_PENDING_JOINS = 64

/** How long the elder set must stay unchanged before its elders start the DKG. */
export const DEFAULT_FORMING_SETTLE_MS = 3000
/** How long a DKG round waits for a silent elder. */
export const DEFAULT_DKG_ROUND_TIMEOUT_MS = 10_000
/** How long elders wait for a generation's proposer before the next elder proposes. */
export const DEFAULT_PROPOSAL_TIMEOUT_MS = 3000
/**
 * Generations between an era's activation decision and the era taking effect: the next one, since
 * the live section churns only by joins so far and a longer delay could wait indefinitely.
 */
export const DEFAULT_ERA_ACTIVATION_DELAY = 1
/** Time between an elder's audit rounds of the section's adults. */
export const DEFAULT_AUDIT_INTERVAL_MS = 60_000
/** How often a paused vault runs its self-check, so its owner sees at once when the fix worked. */
export const DEFAULT_PAUSED_SELF_CHECK_MS = 15_000
/**
 * How often a member tells the elders again which eras its release supports, while the era after
 * the active one, which it supports, is not decided: one elder that lost the message would object
 * to the era for good.
 */
export const DEFAULT_ERA_SUPPORT_RETELL_MS = 60_000
/** How often a vault that is not a member yet asks the elders again. */
export const DEFAULT_JOIN_RETRY_MS = 5000
/** How long one message may take to reach a peer. */
export const DEFAULT_SEND_TIMEOUT_MS = 5000
/**
 * How long a message that never left waits before each new try, within its send timeout: the stream
 * it took was reset, or the connection under it was closing (two vaults that dialled each other at
 * once keep one of their two connections). Lost, such a message would be a DKG share or an era
 * support the section waits on.
 */
export const SEND_RETRY_DELAYS_MS: readonly number[] = [50, 250]
/**
 * Streams of this protocol open at once with one peer, each way: every message has its own, and an
 * elder sends bursts (a DKG round, a decision and a statement to each member) that a busy peer
 * reads slowly; a stream over the limit is reset and its message lost.
 */
export const DEFAULT_MAX_STREAMS_PER_PEER = 256

/**
 * The store cost a client pays per chunk, in ledger units (DESIGN §2 "Earnings": clients pay a
 * store cost per chunk into the section). A constant: the live section does not yet track its
 * fullness, which a cost rising with it would need.
 */
export const STORE_COST_PER_CHUNK = 100
/** The largest store payment an elder counts: far above the store cost, so a typo'd client is refused, not paid out. */
export const MAX_STORE_PAYMENT = 1_000_000
/** Default length of a reward epoch: at each epoch's end the elders sign the epoch's reward record. */
export const DEFAULT_REWARD_EPOCH_MS = 60_000
/** Payments an elder counts in one reward epoch: bounds its memory whatever clients send. */
export const MAX_PAYMENTS_PER_EPOCH = 10_000
/** Epochs an elder keeps payments, chunk addresses and signed pools of; older ones are folded into totals. */
export const REWARD_LEDGER_EPOCHS = 16
