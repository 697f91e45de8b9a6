// The vault's libp2p host: TCP, TLS 1.3 first and Noise also offered, Yamux, identify, ping and a
// Kademlia DHT for peer routing. TLS first because Electron's runtime has no native
// chacha20-poly1305, so Noise there runs a JavaScript cipher several times slower (DESIGN §1).
import { noise, pureJsCrypto } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { ENGINE_VERSION, KAD_PROTOCOL, USER_AGENT } from '../version.ts'

/**
 * Which connection encrypters to offer, in order of preference. 'tls-first' is the default;
 * the others exist to measure what a runtime without native ciphers would get.
 */
export type EncryptionChoice = 'tls-first' | 'noise-only' | 'noise-pure-js'

export interface Libp2pNodeInit {
  privateKey: PrivateKey
  listen: string[]
  /**
   * A local network runs many vaults on loopback: only then are loopback peers exempt from the
   * connection limits and kept in the DHT. The defaults stay as they are for everyone else.
   */
  localNetwork: boolean
  encryption?: EncryptionChoice
  /**
   * A shadow engine takes part in no network (issue 5): the gater refuses every dial before a
   * socket opens and every inbound connection, whatever the code above it asks for.
   */
  isolated?: boolean
  /** Which dials and connections to refuse otherwise (a test's observer that must hear through one peer only). */
  connectionGater?: ConnectionGater
}

export interface VaultLibp2pServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type VaultLibp2p = Libp2p<VaultLibp2pServices>

const LOOPBACK_RANGES = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']

const ISOLATED_GATER = {
  denyDialPeer: () => true,
  denyDialMultiaddr: () => true,
  denyInboundConnection: () => true
}

function encrypters (choice: EncryptionChoice): NonNullable<Libp2pOptions['connectionEncrypters']> {
  switch (choice) {
    case 'tls-first': return [tls(), noise()]
    case 'noise-only': return [noise()]
    case 'noise-pure-js': return [noise({ crypto: pureJsCrypto })]
    default: {
      const unknownChoice: never = choice
      throw new RangeError(`"encryption" expected tls-first, noise-only or noise-pure-js, got ${String(unknownChoice)}`)
    }
  }
}

export async function createVaultLibp2p (init: Libp2pNodeInit): Promise<VaultLibp2p> {
  return await createLibp2p({
    privateKey: init.privateKey,
    start: false,
    nodeInfo: { name: 'vault', version: ENGINE_VERSION, userAgent: USER_AGENT },
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: encrypters(init.encryption ?? 'tls-first'),
    streamMuxers: [yamux()],
    connectionManager: init.localNetwork ? { allow: LOOPBACK_RANGES } : {},
    ...(init.isolated === true ? { connectionGater: ISOLATED_GATER } : init.connectionGater === undefined ? {} : { connectionGater: init.connectionGater }),
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: KAD_PROTOCOL,
        clientMode: false,
        ...(init.localNetwork ? { peerInfoMapper: passthroughMapper, allowQueryWithZeroPeers: true } : {})
      })
    }
  })
}
