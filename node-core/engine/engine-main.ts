// Entry of the live engine as a child process of the host. It speaks the engine RPC over the IPC
// channel and stops itself when its host goes away, so no engine outlives its host. A vault its
// section demotes or relocates rejoins in the same process, under its next name (takeNextName); one
// that leaves takes its next name too, and its host starts it under that name when the owner asks.
import { toErrorValue } from '../../contract/host-api.ts'
import { namedError } from '../../contract/named-error.ts'
import { createVault, onNextName, type Vault } from './vault.ts'
import { sectionPolicyInit } from './section-policy.ts'
import { takeNextName, type NextName } from './identity/relocated-identity.ts'
import { surviveClosedStreamRace } from './network/closed-stream-race.ts'
import { serveShadowRequest } from './shadow/shadow-serve.ts'
import {
  ENGINE_CONFIG_ENV, ENGINE_RPC_VERSION, ENGINE_STANDBY_ENV, EngineConfigSchema, LEAVE_DECISION_WAIT_MS, NotOnStandbyError, parseEngineCall, parseEngineRequest,
  type EngineEvent, type EngineMessage, type EngineRequest, type EngineResult
} from './rpc/engine-rpc.ts'

const STATUS_PUSH_DEBOUNCE_MS = 250
const STATUS_PUSH_INTERVAL_MS = 5000

class NoSectionError extends namedError('NoSectionError') {}

function send (message: EngineMessage): void {
  process.send?.(message)
}

function sendEvent (event: EngineEvent): void {
  send({ rpc: ENGINE_RPC_VERSION, event })
}

function fail (err: unknown): never {
  sendEvent({ type: 'fatal', error: toErrorValue(err) })
  process.stderr.write(`vault engine: ${toErrorValue(err).message}\n`)
  process.exit(1)
}

async function main (): Promise<void> {
  if (process.send === undefined) {
    process.stderr.write('vault engine: must be started by the vault host (no IPC channel)\n')
    process.exit(2)
  }
  const raw = process.env[ENGINE_CONFIG_ENV]
  if (raw === undefined) fail(new Error(`${ENGINE_CONFIG_ENV} is not set`))
  const config = EngineConfigSchema.parse(JSON.parse(raw))
  if (process.env[ENGINE_STANDBY_ENV] === '1') await standBy()
  const open = async (): Promise<Vault> => await createVault({
    dataDir: config.dataDir,
    listen: config.listen,
    bootstrap: config.bootstrap,
    capacityBytes: config.capacityBytes,
    localNetwork: config.localNetwork,
    ...(config.shadow === undefined ? {} : { shadow: config.shadow }),
    ...(config.releaseTrust === undefined ? {} : { releaseTrust: config.releaseTrust }),
    ...sectionPolicyInit(config.section ?? {})
  })
  let vault = await open()
  if (config.paused) vault.pause()

  let stopping = false
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await vault.stop().catch(() => {})
    process.exit(0)
  }
  /** Demoted (a new name at the age the decision gave it) or relocated (age + 1, with the proof of the move): the vault rejoins under its new name. */
  const rejoin = async (next: NextName): Promise<void> => {
    const previous = vault
    await previous.stop()
    await takeNextName(config.dataDir, next)
    vault = await open()
    if (previous.isPaused) vault.pause()
    forwardEvents(vault, rejoin)
    await vault.start()
    sendEvent({ type: 'status', status: vault.status() })
  }
  /** The elders decide this vault's Leave; its next name then waits in the data dir, for the host to start it again later. */
  const leave = async (): Promise<EngineResult<'leave'>> => {
    const { rejoinAge } = await vault.leave({ signal: AbortSignal.timeout(LEAVE_DECISION_WAIT_MS) })
    await takeNextName(config.dataDir, { leftAt: rejoinAge })
    return { rejoinAge }
  }
  surviveClosedStreamRace(message => { sendEvent({ type: 'activity', activity: { at: Date.now(), kind: 'network:stream-race', message } }) }, fail)
  process.on('disconnect', () => { void shutdown() })
  process.on('SIGTERM', () => { void shutdown() })
  process.on('SIGINT', () => { void shutdown() })

  process.on('message', (message: unknown) => {
    let request: EngineRequest
    try {
      request = parseEngineRequest(message)
    } catch (err) {
      sendEvent({ type: 'activity', activity: { at: Date.now(), kind: 'rpc:invalid', message: `ignored a request from the host: ${toErrorValue(err).message}` } })
      return
    }
    void answer(vault, request, { shutdown, leave })
  })

  forwardEvents(vault, rejoin)
  pushStatusEvery(() => vault)
  await vault.start()
  sendEvent({ type: 'ready', status: vault.status() })
}

/** Waits, code loaded and data untouched, until the host says `begin` (a warm start for a switch). */
async function standBy (): Promise<void> {
  await new Promise<void>(resolve => {
    const onMessage = (message: unknown): void => {
      try {
        const request = parseEngineRequest(message)
        if (request.method !== 'begin') {
          send({ rpc: ENGINE_RPC_VERSION, id: request.id, result: { ok: false, error: toErrorValue(new Error(`the engine is on standby: "${request.method}" waits for "begin"`)) } })
          return
        }
        process.off('message', onMessage)
        send({ rpc: ENGINE_RPC_VERSION, id: request.id, result: { ok: true, value: {} } })
        resolve()
      } catch (err) {
        sendEvent({ type: 'activity', activity: { at: Date.now(), kind: 'rpc:invalid', message: `ignored a request from the host: ${toErrorValue(err).message}` } })
      }
    }
    process.on('message', onMessage)
    // A host that goes away while the engine waits takes the engine with it.
    process.once('disconnect', () => { process.exit(0) })
    sendEvent({ type: 'standby' })
  })
}

interface EngineActions {
  shutdown: () => Promise<void>
  leave: () => Promise<EngineResult<'leave'>>
}

async function answer (vault: Vault, request: EngineRequest, { shutdown, leave }: EngineActions): Promise<void> {
  const reply = (value: EngineResult<EngineRequest['method']>): void => { send({ rpc: ENGINE_RPC_VERSION, id: request.id, result: { ok: true, value } }) }
  try {
    const call = parseEngineCall(request)
    switch (call.method) {
      case 'status': reply(vault.status()); return
      case 'pause': vault.pause(); reply(vault.status()); return
      case 'resume': vault.resume(); reply(vault.status()); return
      case 'stop': reply(vault.status()); await shutdown(); return
      case 'trace': reply({ entries: vault.trace.entries(call.params.limit), recorded: vault.trace.recorded, capacity: vault.trace.capacity }); return
      case 'serve': reply(await serveShadowRequest(vault, call.params)); return
      case 'begin': throw new NotOnStandbyError('the engine has already begun')
      case 'runSelfCheck':
        await standingOf(vault).runSelfCheck()
        reply(vault.status())
        return
      case 'reconnect':
        await standingOf(vault).reconnect()
        reply(vault.status())
        return
      case 'leave': reply(await leave()); return
      default: {
        const unknownCall: never = call
        throw new Error(`unknown method in ${JSON.stringify(unknownCall)}`)
      }
    }
  } catch (err) {
    send({ rpc: ENGINE_RPC_VERSION, id: request.id, result: { ok: false, error: toErrorValue(err) } })
  }
}

function standingOf (vault: Vault): NonNullable<Vault['standing']> {
  if (vault.standing === undefined) throw new NoSectionError('this engine runs no section (a shadow engine): there is no standing to check')
  return vault.standing
}

/** Activity goes to the host as it happens, with a status push after it (debounced); a demotion or a relocation rejoins. */
function forwardEvents (vault: Vault, rejoin: (next: NextName) => Promise<void>): void {
  let pending: NodeJS.Timeout | undefined
  const pushStatus = (): void => {
    pending ??= setTimeout(() => {
      pending = undefined
      sendEvent({ type: 'status', status: vault.status() })
    }, STATUS_PUSH_DEBOUNCE_MS)
  }
  vault.addEventListener('vault:activity', event => {
    sendEvent({ type: 'activity', activity: { at: Date.now(), ...event.detail } })
    pushStatus()
  })
  vault.addEventListener('vault:peers', pushStatus)
  onNextName(vault, next => { void rejoin(next).catch(fail) })
}

/** The status, pushed periodically whatever happens. */
function pushStatusEvery (current: () => Vault): void {
  setInterval(() => { sendEvent({ type: 'status', status: current().status() }) }, STATUS_PUSH_INTERVAL_MS).unref()
}

main().catch(fail)
