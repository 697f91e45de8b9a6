// The network-backed ReleaseSource (DESIGN §3.3): release files fetched as chunks from vaults,
// through the index a release pointer names. Like every source it is untrusted; verifyRelease
// runs tuf-js over these bytes exactly as over a directory.
import { assertReleaseFileName, type ReleaseSource } from '../release-source.ts'
import { assembleReleaseFile, fetchReleaseIndex, type FetchChunk, type ReleaseIndex } from './release-files.ts'

export class NetworkReleaseSource implements ReleaseSource {
  readonly indexAddress: string
  readonly #fetchChunk: FetchChunk
  #index: Promise<ReleaseIndex> | undefined

  constructor (options: { indexAddress: string, fetchChunk: FetchChunk }) {
    this.indexAddress = options.indexAddress
    this.#fetchChunk = options.fetchChunk
  }

  async fetch (name: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    assertReleaseFileName(name)
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`"maxBytes" expected a whole number of at least 0, got ${maxBytes}`)
    const index = await this.#loadIndex(signal)
    return await assembleReleaseFile(this.#fetchChunk, index, name, maxBytes, signal)
  }

  /** The index is fetched once per source; a failed fetch is retried on the next call. */
  async #loadIndex (signal: AbortSignal | undefined): Promise<ReleaseIndex> {
    this.#index ??= fetchReleaseIndex(this.#fetchChunk, this.indexAddress, signal)
    try {
      return await this.#index
    } catch (err) {
      this.#index = undefined
      throw err
    }
  }
}
