// What this machine lets a sandbox use (DESIGN §3.5): users' machines differ, so every layer is
// detected, and one that is missing is reported with the reason rather than silently skipped.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { IsolationLayer } from '../../../contract/upgrade.ts'

/** The layers the sandbox can do without (the monitor and the environment allow-list are ours, always there). */
export type OptionalLayer = 'network-namespace' | 'permission-model' | 'resource-budgets'

export type NetworkNamespaceSupport =
  | { available: true, /** Runs what follows `--` in a new network namespace. */ command: string[], detail: string }
  | { available: false, detail: string }

export interface IsolationProbe {
  networkNamespace: NetworkNamespaceSupport
  permissionModel: { available: boolean, detail: string }
  resourceBudgets: { available: boolean, detail: string }
  /** The report rows: every layer and whether this machine allows it. */
  layers: IsolationLayer[]
}

export interface ProbeOptions {
  /** Layers to treat as unavailable, each with the reason to report (tests; a machine where one misbehaves). */
  disable?: Partial<Record<OptionalLayer, string>>
}

const PROBE_TIMEOUT_MS = 10_000

async function run (command: string, args: string[]): Promise<string | undefined> {
  return await new Promise(resolve => {
    execFile(command, args, { timeout: PROBE_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err === null) { resolve(undefined); return }
      const complaint = stderr.trim().split('\n').at(-1) ?? ''
      resolve(complaint === '' ? err.message : complaint)
    })
  })
}

async function probeNetworkNamespace (): Promise<NetworkNamespaceSupport> {
  if (process.platform !== 'linux') return { available: false, detail: `network namespaces are a Linux feature; this is ${process.platform}` }
  const candidates = [
    ...(process.getuid?.() === 0 ? [['unshare', '--net']] : []),
    ['unshare', '--user', '--map-root-user', '--net']
  ]
  const failures: string[] = []
  for (const command of candidates) {
    const [program = 'unshare', ...args] = command
    // `ip` brings the namespace's loopback up: without it the engine could not even listen.
    const failure = await run(program, [...args, '--', 'ip', 'link', 'set', 'lo', 'up'])
    if (failure === undefined) return { available: true, command, detail: `private network namespace with loopback only (${command.join(' ')})` }
    failures.push(`${command.join(' ')}: ${failure}`)
  }
  return { available: false, detail: failures.join('; ') }
}

function probePermissionModel (): { available: boolean, detail: string } {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= 22 && process.allowedNodeEnvironmentFlags.has('--permission')) {
    return { available: true, detail: `Node ${process.versions.node} --permission` }
  }
  return { available: false, detail: `Node ${process.versions.node} has no --permission (needs 22 or later)` }
}

async function probeProcfs (): Promise<{ available: boolean, detail: string }> {
  try {
    await readFile('/proc/self/stat', 'utf8')
    await readFile('/proc/self/status', 'utf8')
    return { available: true, detail: 'CPU time and memory read from /proc' }
  } catch (err) {
    return { available: false, detail: `no /proc to measure a process's CPU time and memory (${err instanceof Error ? err.message : String(err)})` }
  }
}

let machine: Promise<Omit<IsolationProbe, 'layers'>> | undefined

/** Detects what this machine allows, once per process; `disable` forces layers off on top. */
export async function probeIsolation (options: ProbeOptions = {}): Promise<IsolationProbe> {
  machine ??= Promise.all([probeNetworkNamespace(), probeProcfs()])
    .then(([networkNamespace, resourceBudgets]) => ({ networkNamespace, permissionModel: probePermissionModel(), resourceBudgets }))
  const found = await machine
  const off = (layer: OptionalLayer): { available: false, detail: string } | undefined => {
    const reason = options.disable?.[layer]
    return reason === undefined ? undefined : { available: false, detail: `disabled: ${reason}` }
  }
  const probe = {
    networkNamespace: off('network-namespace') ?? found.networkNamespace,
    permissionModel: off('permission-model') ?? found.permissionModel,
    resourceBudgets: off('resource-budgets') ?? found.resourceBudgets
  }
  return {
    ...probe,
    layers: [
      { layer: 'network-namespace', active: probe.networkNamespace.available, detail: probe.networkNamespace.detail },
      { layer: 'permission-model', active: probe.permissionModel.available, detail: probe.permissionModel.detail },
      { layer: 'egress-monitor', active: true, detail: 'in-process monitor of sockets, DNS, HTTP, datagrams, child processes, workers and writes' },
      { layer: 'environment-allow-list', active: true, detail: 'only PATH, LANG, TZ and the keys the host passes' },
      { layer: 'resource-budgets', active: probe.resourceBudgets.available, detail: probe.resourceBudgets.detail }
    ]
  }
}
