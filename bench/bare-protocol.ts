/** The bare-stream protocol the throughput benchmark compares chunk gets against. */
export const BARE_PROTOCOL = '/vault-bench/bare/1.0.0'
