// The switch's interface (DESIGN §3.7, §3.8): what the upgrade manager asks of it and what it
// gets back. The manager depends only on this, so it can be tested with a switcher of its own.
import type { TypedEventTarget } from 'main-event'
import type { z } from 'zod'
import type { EgressAttempt, SwitchPhaseSchema } from '../../../contract/upgrade.ts'
import { namedError } from '../../../contract/named-error.ts'
import type { RunnableEngine } from '../shadow/shadow-runner.ts'

export type SwitchPhase = z.infer<typeof SwitchPhaseSchema>

/** What a health window checks of the new engine; 'healthy' is the reason a switch succeeded. */
export type HealthCheck = 'ready' | 'running' | 'identity' | 'age' | 'chunks' | 'egress' | 'healthy'

export interface SwitchReason {
  /** 'drain', 'backup' and 'rollback' are steps of the switch itself that went wrong. */
  check: HealthCheck | 'drain' | 'backup' | 'rollback'
  severity: 'critical' | 'warning' | 'info'
  /** A sentence a farmer can read: what happened and what it means. */
  message: string
}

export interface EngineRef {
  engineVersion: string
  bundleSha256: string | null
}

export interface SwitchOutcome {
  /** The same kinds as the upgrade history (contract/upgrade.ts UpgradeHistoryEntry). */
  kind: 'switched' | 'rolled-back' | 'manual-rollback'
  /** The engine that was live before, and the one live now (or meant to be, when `running` is false). */
  from: EngineRef
  to: EngineRef
  /** False only when even the rollback could not start an engine: the vault is down. */
  running: boolean
  /** Why it ended as it did; the first is the main one. Never empty. */
  reasons: SwitchReason[]
  /** The version that failed its health window or the live egress watch: never retry it automatically. */
  failedVersion: string | null
  /**
   * Time the vault served nothing: from the live engine stopping to the engine now live being
   * ready, rollback included. Null when no engine is running at the end.
   */
  downtimeMs: number | null
  /** The backup of the data taken before the switch (what a rollback restores). */
  backupDir: string | null
  /** Attempts to reach outside the policy that the egress monitor reported of the new engine. */
  egress: EgressAttempt[]
  startedAt: number
  finishedAt: number
}

/** Events of a switcher, `noun:verb` as js-libp2p names them. */
export interface SwitcherEvents {
  /** The step a switch or rollback is in; null once it is over. */
  'switch:phase': CustomEvent<{ phase: SwitchPhase | null, since: number }>
  /**
   * Every outcome, including an automatic rollback that no call asked for: the live egress watch
   * (DESIGN §3.8) rolls a version back whenever it reaches outside, long after switchTo returned.
   */
  'switch:outcome': CustomEvent<SwitchOutcome>
}

export interface Switcher extends TypedEventTarget<SwitcherEvents> {
  /** Switches the live vault to `engine`, watches a health window, and rolls back on failure. */
  switchTo(engine: RunnableEngine): Promise<SwitchOutcome>
  /** Returns to the engine live before the last switch, with the data as it was then. */
  rollback(): Promise<SwitchOutcome>
}

export class SwitchInProgressError extends namedError('SwitchInProgressError') {}
export class NoPreviousEngineError extends namedError('NoPreviousEngineError') {}
export class EngineNotRunningError extends namedError('EngineNotRunningError') {}
