// What a health window holds a newly switched engine to (DESIGN §3.7), each failure worded for
// the farmer: the state kept across the data migration (name, age, chunks), staying up, and
// reaching nothing outside its policy (DESIGN §3.8).
import type { EgressAttempt } from '../../../contract/upgrade.ts'
import type { EngineStatus } from '../../engine/rpc/engine-rpc.ts'
import type { SwitchReason } from './switcher.ts'

/** What the live vault was before the switch; the new engine must keep all of it. */
export interface HealthBaseline {
  name: string
  age: number
  chunks: number
}

export function baselineOf (status: EngineStatus): HealthBaseline {
  return { name: status.name, age: status.age, chunks: status.store.chunks }
}

function shortName (name: string): string {
  return name.length > 12 ? `…${name.slice(-8)}` : name
}

const RESTORED = 'the previous version and its data were restored'

/** The state checks, on a status the new engine reported; empty when it kept everything. */
export function stateReasons (baseline: HealthBaseline, status: EngineStatus, version: string): SwitchReason[] {
  const reasons: SwitchReason[] = []
  if (status.name !== baseline.name) {
    reasons.push({
      check: 'identity',
      severity: 'critical',
      message: `Version ${version} changed the vault's identity (its name was ${shortName(baseline.name)} and became ${shortName(status.name)}). A vault that loses its name loses its age, so ${RESTORED}.`
    })
  } else if (status.age !== baseline.age) {
    reasons.push({ check: 'age', severity: 'critical', message: `Version ${version} reported age ${status.age} where the vault had age ${baseline.age}, so ${RESTORED}.` })
  }
  if (status.store.chunks < baseline.chunks) {
    reasons.push({
      check: 'chunks',
      severity: 'critical',
      message: `Version ${version} holds ${status.store.chunks} chunks where the vault held ${baseline.chunks} before the switch: it lost stored data, so ${RESTORED}.`
    })
  }
  return reasons
}

export function notReadyReason (version: string, problem: string): SwitchReason {
  return { check: 'ready', severity: 'critical', message: `Version ${version} did not start (${problem}), so ${RESTORED}.` }
}

export function exitedReason (version: string, code: number | null, signal: string | null): SwitchReason {
  const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`
  return { check: 'running', severity: 'critical', message: `Version ${version} stopped during its health window (${how}), so ${RESTORED}.` }
}

export function unresponsiveReason (version: string, problem: string): SwitchReason {
  return { check: 'running', severity: 'critical', message: `Version ${version} stopped answering the host during its health window (${problem}), so ${RESTORED}.` }
}

export function egressReason (version: string, attempt: EgressAttempt): SwitchReason {
  return {
    check: 'egress',
    severity: 'critical',
    message: `Version ${version} tried to reach ${attempt.target} (${attempt.kind}), which is neither a peer it learned through the network nor a host its release allows: it may be phoning home. The attempt was recorded and blocked, ${RESTORED}, and this version will not be installed again automatically.`
  }
}

export function healthyReason (version: string, windowMs: number): SwitchReason {
  return { check: 'healthy', severity: 'info', message: `Version ${version} kept the vault's name, age and chunks and reached nothing outside its policy for ${Math.round(windowMs / 1000)} s: the switch is complete.` }
}
