// One class per failure, each with a stable name that callers check (STYLE: js-libp2p errors).
// Errors the host itself reports arrive as the contract's RemoteError, keeping the host's name.
import { namedError } from '../../../contract/named-error.ts'

/** No connection to the host right now: the request was not sent, or its connection dropped. */
export class HostUnavailableError extends namedError('HostUnavailableError') {}

/** The host accepted a request but did not answer in time. */
export class RequestTimeoutError extends namedError('RequestTimeoutError') {}

/** The host sent something that does not match the contract's schemas. */
export class ProtocolError extends namedError('ProtocolError') {}
