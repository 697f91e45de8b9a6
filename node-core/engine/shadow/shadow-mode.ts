// Shadow mode (issue 5, DESIGN §3.4): the engine the upgrade runner starts in a sandbox, beside
// the live vault, on a read-only snapshot of its store. It takes part in no network (it dials
// nobody and listens on loopback only), writes only to its own data dir, and answers the runner's
// requests through the `serve` RPC instead of peers.
import { join } from 'node:path'
import { IDENTITY_FILE, readIdentity, type VaultIdentity } from '../identity/identity-file.ts'
import { namedError } from '../../../contract/named-error.ts'

export interface ShadowInit {
  /** A snapshot of the live store's directory, read-only (its `chunks/` as the live store lays them out). */
  snapshotDir: string
}

/** A shadow engine needs the live vault's identity, which the runner copies in before it starts. */
export class ShadowIdentityMissingError extends namedError('ShadowIdentityMissingError') {}

/** A request only a shadow engine answers (`serve`) reached a live one. */
export class ShadowModeRequiredError extends namedError('ShadowModeRequiredError') {}

/** A shadow engine asked to do what would reach outside its sandbox (bootstrap, gossip, a public listener). */
export class ShadowConfigError extends namedError('ShadowConfigError') {}

/** TCP listen multiaddrs on loopback only, as a sandboxed engine may listen. */
export const LOOPBACK_LISTEN_PATTERN = /^\/(ip4\/127(\.\d{1,3}){3}|ip6\/::1)\/tcp\/\d{1,5}$/

export function isLoopbackListenAddress (address: string): boolean {
  return LOOPBACK_LISTEN_PATTERN.test(address)
}

/** Refuses a shadow configuration that would dial or listen outside loopback. */
export function assertShadowConfig (config: { listen: string[], bootstrap: string[], releaseGossip: boolean }): void {
  if (config.bootstrap.length > 0) throw new ShadowConfigError(`a shadow engine dials nobody: expected no bootstrap peers, got ${config.bootstrap.join(', ')}`)
  if (config.releaseGossip) throw new ShadowConfigError('a shadow engine takes no part in release gossip: expected no trusted release root')
  const outside = config.listen.filter(address => !isLoopbackListenAddress(address))
  if (outside.length > 0) throw new ShadowConfigError(`a shadow engine listens on loopback only (/ip4/127.x.x.x/tcp/N or /ip6/::1/tcp/N), got ${outside.join(', ')}`)
}

/**
 * The live vault's identity, copied into the shadow data dir. Never ground here: grinding needs
 * worker threads, which the sandbox's permission model forbids, and a new name would not be the
 * live vault's (the runner compares name and age to see that state survived the migration).
 */
export async function loadShadowIdentity (dataDir: string): Promise<VaultIdentity> {
  const identity = await readIdentity(dataDir)
  if (identity === undefined) {
    throw new ShadowIdentityMissingError(`shadow mode needs the live vault's identity at ${join(dataDir, IDENTITY_FILE)} (copied in by the upgrade runner); a shadow engine never grinds a new one`)
  }
  return identity
}
