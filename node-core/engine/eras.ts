// What the engine understands of the network's history and of its own data on disk. Both travel
// in the engine bundle's manifest (DESIGN §3, targets' custom fields) so a host can tell, before it
// starts a candidate engine, whether that engine can join the current era and open the data dir.

/** DESIGN §2, versions and eras: a release supports at most two eras, listed in ascending order. */
export const SUPPORTED_ERAS = [1] as const

/** The layout of the data directory (chunk store, identity file); a change needs a migration. */
export const DATA_FORMAT_VERSION = 1
