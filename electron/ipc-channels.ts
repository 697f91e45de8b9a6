// IPC channel names shared by main and the preload: one channel per HostApi verb, one for events.
import type { HostVerb } from '../contract/host-api.ts'

export const EVENT_CHANNEL = 'vault:event'

export function verbChannel (verb: HostVerb): `vault:${HostVerb}` {
  return `vault:${verb}`
}
