// Defaults of the audit protocol (issue 3, deliver 4; DESIGN §2 "Storage and audits"), in one place
// as js-libp2p keeps a service's constants. Every bound here caps what one peer can make an
// auditor or a member hold or do at once.

export const AUDIT_PROTOCOL = '/vault/audit/1.0.0'

/** A challenge and its answer are a few hex strings: any frame larger is a violation. */
export const MAX_AUDIT_FRAME_BYTES = 512

/** How long a member has to answer one challenge before it counts as unresponsive. */
export const DEFAULT_AUDIT_TIMEOUT_MS = 10_000

/** Audits this auditor runs at once; one more is refused with AuditsBusyError. */
export const DEFAULT_MAX_AUDITS_IN_FLIGHT = 16

/**
 * Audit chunks an auditor keeps per member. A few are enough: each challenge takes a fresh nonce,
 * so one chunk can be challenged any number of times.
 */
export const DEFAULT_AUDIT_CHUNKS_PER_MEMBER = 4

/**
 * Size of one audit chunk. Random bytes look like any client chunk (self-encrypted data is
 * indistinguishable from random), so a member cannot keep the audit chunks and drop the rest.
 */
export const DEFAULT_AUDIT_CHUNK_BYTES = 4096

/** Members whose audit material an auditor keeps: above any section, which splits at 2 x 14. */
export const DEFAULT_MAX_AUDITED_MEMBERS = 256

/** Upper bounds a persisted material file may claim, whatever the init says. */
export const MAX_AUDIT_CHUNK_BYTES = 64 * 1024
export const MAX_AUDIT_CHUNKS_PER_MEMBER = 64
export const MAX_AUDITED_MEMBERS = 4096

/** Challenges a member answers at once from one peer, each way. */
export const DEFAULT_MAX_AUDIT_STREAMS = 32

/** Addresses a member remembers having been challenged on, for its self-check. */
export const DEFAULT_RECENT_CHALLENGES = 64
