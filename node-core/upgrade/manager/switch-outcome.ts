// What a switch or rollback changes in the upgrade state (DESIGN §3.7): which engine is live and
// which one a rollback returns to, the failed version remembered, and one history entry. Pure, so
// the same outcome gives the same state whether it came from a call or from the live egress watch.
import type { SwitchOutcome, EngineRef } from '../switch/switcher.ts'
import { engineView } from './engine-records.ts'
import { withFailedVersion, withHistory, type EngineRecord, type UpgradeState } from './upgrade-state.ts'

/** Engines are told apart by their bundle; the built-in one has none. */
function sameEngine (record: EngineRecord, ref: EngineRef): boolean {
  return engineView(record).bundleSha256 === ref.bundleSha256
}

/** The record the manager knows for `ref`: the live, previous or candidate engine. */
function recordFor (state: UpgradeState, ref: EngineRef): EngineRecord | undefined {
  return [state.current, state.previous, state.candidate?.engine].find((record): record is EngineRecord => record !== undefined && record !== null && sameEngine(record, ref))
}

export function applySwitchOutcome (state: UpgradeState, outcome: SwitchOutcome): UpgradeState {
  const to = recordFor(state, outcome.to)
  const from = recordFor(state, outcome.from)
  let next: UpgradeState = state
  // Even when `to` failed to start, it is the engine the supervisor keeps trying: the live one.
  if (to !== undefined && !sameEngine(state.current, outcome.to)) {
    // Forward, the engine left behind is the one to roll back to; backward, there is none left.
    next = outcome.kind === 'switched'
      ? { ...next, current: to, previous: from ?? state.current, previousBackupDir: outcome.backupDir }
      : { ...next, current: to, previous: null, previousBackupDir: null }
  }
  const candidate = state.candidate
  if (candidate !== null && (sameEngine(candidate.engine, outcome.to) || sameEngine(candidate.engine, outcome.from) || outcome.failedVersion === candidate.view.engineVersion)) {
    // Switched to, or tried and rolled back: either way it is no longer a candidate.
    next = { ...next, candidate: null }
  }
  if (outcome.failedVersion !== null) next = withFailedVersion(next, outcome.failedVersion)
  const main = outcome.reasons[0]?.message ?? ''
  const downtime = outcome.downtimeMs === null ? ' No engine is running now.' : ` The vault served nothing for ${(outcome.downtimeMs / 1000).toFixed(1)} s.`
  return withHistory(next, {
    at: outcome.finishedAt,
    kind: outcome.kind,
    fromVersion: outcome.from.engineVersion,
    toVersion: outcome.to.engineVersion,
    detail: `${main}${downtime}`.trim()
  })
}
