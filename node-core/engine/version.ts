// What this engine is, as peers learn it through identify and the host shows it.
export const ENGINE_VERSION = '0.1.0'
export const USER_AGENT = `vault/${ENGINE_VERSION}`
/** Protocol ids carry their versions (DESIGN §2, versions and eras). */
export const CHUNK_PROTOCOL = '/vault/chunk/1.0.0'
export const KAD_PROTOCOL = '/vault/kad/1.0.0'
