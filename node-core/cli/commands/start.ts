// `vault start --headless`: the host and its dashboard on loopback, for a machine without a display.
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startHeadlessServer } from '../../host/headless-server.ts'
import { createVaultHost } from '../../host/vault-host.ts'
import { installReleaseTrust, ReleaseTrustFileError } from '../../release/release-trust.ts'
import { CliFailure, UsageError } from '../cli-errors.ts'
import { defaultDataDir } from '../data-dir.ts'
import { parseInteger, parseNumber } from '../parse.ts'
import { parseNetworkPolicy, POLICY_OPTIONS, POLICY_USAGE } from './testnet.ts'

export const START_USAGE = `vault start --headless [--data-dir DIR] [--port P] [--bind ADDR --allow-remote] [--bootstrap MULTIADDR]... [--vault-port P] [--capacity-gib N] [--nodes N] [--release-trust FILE] [--health-window S] ${POLICY_USAGE}`

const rendererDir = fileURLToPath(new URL('../../../dist/renderer', import.meta.url))

export async function startCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      headless: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      bind: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean', default: false },
      bootstrap: { type: 'string', multiple: true },
      'vault-port': { type: 'string' },
      'capacity-gib': { type: 'string' },
      nodes: { type: 'string' },
      'client-rate': { type: 'string' },
      'release-trust': { type: 'string' },
      'health-window': { type: 'string' },
      ...POLICY_OPTIONS
    }
  })
  if (!values.headless) {
    throw new UsageError('vault start runs without a window: add --headless (the desktop app is `npm start`)')
  }
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : resolve(values['data-dir'])
  const port = parseInteger('port', values.port, 0, 65535) ?? 0
  const vaultPort = parseInteger('vault-port', values['vault-port'], 0, 65535)
  const capacityGib = parseNumber('capacity-gib', values['capacity-gib'], 0.01, 1_000_000)
  const nodes = parseInteger('nodes', values.nodes, 1, 500)
  const clientRate = parseNumber('client-rate', values['client-rate'], 0, 1000)
  // How long a switched-to engine must run healthy before the switch is complete (DESIGN §3.7).
  const healthWindowSeconds = parseInteger('health-window', values['health-window'], 1, 24 * 3600)
  // The embedded network churns every 30 s unless told otherwise (embedded-network.ts); the audit
  // interval and grace also go to the host's own engine.
  const policy = parseNetworkPolicy(values)
  const bootstrap = values.bootstrap ?? []
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  // Checked and copied before anything starts, so a bad file is one line and exit 1, not a host
  // that runs deaf to releases; later starts reuse the copy without the option.
  const releaseTrustFile = values['release-trust']
  try {
    await installReleaseTrust({ dataDir, ...(releaseTrustFile === undefined ? {} : { from: resolve(releaseTrustFile) }) })
  } catch (err) {
    if (err instanceof ReleaseTrustFileError) throw new CliFailure(err.message)
    throw err
  }

  const host = createVaultHost({
    dataDir,
    bootstrap,
    ...(vaultPort === undefined ? {} : { listenPort: vaultPort }),
    ...(bootstrap.length > 0 ? { listenHost: '0.0.0.0' } : {}),
    ...(capacityGib === undefined ? {} : { capacityBytes: Math.round(capacityGib * 1024 ** 3) }),
    ...(nodes === undefined ? {} : { localNetworkSize: nodes }),
    ...(clientRate === undefined ? {} : { clientRate }),
    ...policy,
    ...(healthWindowSeconds === undefined ? {} : { upgrades: { healthWindowMs: healthWindowSeconds * 1000 } })
  })
  const server = await startHeadlessServer({ host, dataDir, rendererDir, port, bind: values.bind, allowRemote: values['allow-remote'] })
  process.stdout.write(`Vault Manager is running without a window.\nDashboard: ${server.url}\n(The URL carries the access token; it is also in ${dataDir}/host.json.)\n`)

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stdout.write('Stopping the vault...\n')
    await server.close()
    await host.stop()
  }
  const stopped = new Promise<void>(resolve => {
    process.once('SIGINT', () => { void stop().then(resolve) })
    process.once('SIGTERM', () => { void stop().then(resolve) })
  })
  try {
    await host.start()
    const left = (await host.getStatus({})).state === 'left'
    process.stdout.write(left ? 'This vault left the network: it stays stopped until you resume it (vault resume, or Resume on the dashboard).\n' : 'The vault is live.\n')
  } catch (err) {
    // The dashboard stays up to show what went wrong; the host keeps retrying the engine.
    process.stderr.write(`vault: ${err instanceof Error ? err.message : String(err)}\n`)
  }
  await stopped
  return 0
}
