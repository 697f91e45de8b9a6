// Electron IPC transport for HostApi: one invoke channel per verb. Every request is checked for
// its sender, then parsed from unknown by the contract; replies and failures cross as values.
import { dispatchHostRequest, hostVerbs, InvalidRequestError } from '../contract/host-api.ts'
import type { HostApi, HostVerb, Result } from '../contract/host-api.ts'
import { verbChannel } from './ipc-channels.ts'
import type { IpcInvokeEventLike, IpcMainPort } from './ports.ts'

export const FORBIDDEN_SENDER_ERROR = 'ForbiddenSenderError'

/** Decides whether an IPC message comes from the app's own page in the app's own window. */
export type SenderCheck = (event: IpcInvokeEventLike) => boolean

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * Answers one request that arrived on the channel of `verb`. Never throws and never reaches the
 * host for a refused sender or for a request naming a verb other than its channel's.
 */
export async function handleHostInvoke (
  host: HostApi,
  isTrustedSender: SenderCheck,
  verb: HostVerb,
  event: IpcInvokeEventLike,
  payload: unknown
): Promise<Result<unknown>> {
  if (!isTrustedSender(event)) {
    return { ok: false, error: { name: FORBIDDEN_SENDER_ERROR, message: `"${verb}" refused: the sender is not the Vault Manager window` } }
  }
  if (isRecord(payload) && payload.verb !== verb) {
    return { ok: false, error: { name: InvalidRequestError.NAME, message: `request for "${String(payload.verb)}" sent on the "${verbChannel(verb)}" channel` } }
  }
  return await dispatchHostRequest(host, payload)
}

/** Registers a handler per verb; returns a function that removes them. */
export function registerHostIpc (ipcMain: IpcMainPort, host: HostApi, isTrustedSender: SenderCheck): () => void {
  for (const verb of hostVerbs) {
    ipcMain.handle(verbChannel(verb), async (event, payload) => await handleHostInvoke(host, isTrustedSender, verb, event, payload))
  }
  return () => {
    for (const verb of hostVerbs) ipcMain.removeHandler(verbChannel(verb))
  }
}
