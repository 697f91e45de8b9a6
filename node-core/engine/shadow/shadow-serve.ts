// The `serve` RPC of a shadow engine (issue 5, deliver 2): the runner's replayed and synthetic
// requests go through ChunkService.answerChunkRequest, the code that answers a peer, so a candidate
// that is slower or wrong there is caught. An audit reads the chunk the same way and proves it.
import { toErrorValue } from '../../../contract/host-api.ts'
import { storageProof } from '../audit/storage-proof.ts'
import type { ChunkAnswer, ChunkService } from '../chunk-protocol/chunk-service.ts'
import type { ServeParams, ServeReply } from '../rpc/engine-rpc.ts'
import { chunkAddress } from '../store/chunk-address.ts'
import { ShadowModeRequiredError } from './shadow-mode.ts'

export interface ShadowServeComponents {
  /** True only for an engine started in shadow mode. */
  shadow: boolean
  chunks: Pick<ChunkService, 'answerChunkRequest'>
}

/** Answers one request; a failure of that request is an `ok: false` reply, not a thrown error. */
export async function serveShadowRequest (components: ShadowServeComponents, params: ServeParams): Promise<ServeReply> {
  if (!components.shadow) throw new ShadowModeRequiredError('"serve" answers only in shadow mode: a live vault serves its peers, not the upgrade runner')
  try {
    return await answer(components.chunks, params)
  } catch (err) {
    return { ok: false, op: params.op, error: toErrorValue(err) }
  }
}

async function answer (chunks: ShadowServeComponents['chunks'], params: ServeParams): Promise<ServeReply> {
  switch (params.op) {
    case 'get': {
      const { bytes, failure } = foundBytes(await chunks.answerChunkRequest({ op: 'get', address: params.address }))
      if (failure !== undefined) return { ok: false, op: 'get', error: failure }
      return bytes === undefined ? { ok: true, op: 'get', found: false } : { ok: true, op: 'get', found: true, bytes }
    }
    case 'has': {
      const { reply } = await chunks.answerChunkRequest({ op: 'has', address: params.address })
      if (!reply.ok) return { ok: false, op: 'has', error: reply.error }
      return { ok: true, op: 'has', found: 'found' in reply && reply.found }
    }
    case 'put': {
      const address = chunkAddress(params.bytes)
      const { reply } = await chunks.answerChunkRequest({ op: 'put', address, size: params.bytes.length }, params.bytes)
      if (!reply.ok) return { ok: false, op: 'put', error: reply.error }
      if (reply.op !== 'put') throw new TypeError(`a put was answered with a reply for ${reply.op}`)
      return { ok: true, op: 'put', address, added: reply.added }
    }
    case 'audit': {
      const { bytes, failure } = foundBytes(await chunks.answerChunkRequest({ op: 'get', address: params.address }))
      if (failure !== undefined) return { ok: false, op: 'audit', error: failure }
      return bytes === undefined ? { ok: true, op: 'audit', found: false } : { ok: true, op: 'audit', found: true, proof: storageProof(params.nonce, bytes) }
    }
    default: {
      const unknownOp: never = params
      throw new TypeError(`unknown serve op in ${JSON.stringify(unknownOp)}`)
    }
  }
}

/** A get's bytes, or the failure behind its "not found" (a corrupt chunk is an error here). */
function foundBytes (answer: ChunkAnswer): { bytes?: Uint8Array, failure?: { name: string, message: string } } {
  if (answer.corrupt !== undefined) return { failure: toErrorValue(answer.corrupt) }
  if (!answer.reply.ok) return { failure: answer.reply.error }
  // A copy the exact length of the chunk: the read buffer may be larger, and IPC sends all of it.
  return answer.data === undefined ? {} : { bytes: answer.data.slice() }
}
