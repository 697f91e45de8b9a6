// The audit protocol's failures, one class each (contract/named-error.ts), and which trust offence
// an unreadable frame is.
import { namedError } from '../../../contract/named-error.ts'
import type { TrustOffence } from '../network/local-trust.ts'
import { isEndBeforeFrame } from '../network/stream-end.ts'

export class MalformedAuditMessageError extends namedError('MalformedAuditMessageError') {}
export class AuditFrameTooLargeError extends namedError('AuditFrameTooLargeError') {}
/** Only vaults, whose names are ed25519 keys, are audited. */
export class NotAVaultError extends namedError('NotAVaultError') {}
export class AuditServiceStoppedError extends namedError('AuditServiceStoppedError') {}
/** The auditor runs as many audits as it may: the caller should try again later. */
export class AuditsBusyError extends namedError('AuditsBusyError') {}
/** No audit material placed on this member yet: call placeMaterial first. */
export class NoAuditMaterialError extends namedError('NoAuditMaterialError') {}
/** The auditor cannot challenge a member on a chunk it does not hold itself. */
export class ChunkNotHeldError extends namedError('ChunkNotHeldError') {}
/** The member did not answer in time. */
export class AuditTimeoutError extends namedError('AuditTimeoutError') {}

/** Which trust offence an unreadable audit frame is, if it is anyone's fault. */
export function auditFrameOffence (err: Error): TrustOffence | undefined {
  switch (err.name) {
    case 'InvalidDataLengthError':
    case 'InvalidDataLengthLengthError':
    case AuditFrameTooLargeError.NAME:
      return 'oversize'
    case MalformedAuditMessageError.NAME:
    case 'InvalidMessageLengthError':
      return 'malformed'
    case 'UnexpectedEOFError':
      return isEndBeforeFrame(err) ? undefined : 'truncated'
    default:
      return undefined
  }
}

export function toError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
