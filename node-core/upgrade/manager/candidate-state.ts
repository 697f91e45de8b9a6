// The candidate's part of the upgrade state: a new candidate under test, its shadow progress, its
// verdict and schedule. Pure functions of the state, so the manager only decides when to apply them.
import type { ShadowVerdict, UpgradeCandidate, UpgradeHistoryEntry } from '../../../contract/upgrade.ts'
import { engineView } from './engine-records.ts'
import { withFailedVersion, withHistory, type CandidateRecord, type EngineRecord, type UpgradeState } from './upgrade-state.ts'

export interface CandidateSpec {
  engine: Extract<EngineRecord, { kind: 'installed' }>
  verification: UpgradeCandidate['verification']
  rollout: CandidateRecord['rollout']
  allowedHosts: string[]
  deadline: number | null
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const

/** The reason a farmer should read first: the most severe, in the runner's order. */
export function topReason (verdict: ShadowVerdict): string {
  return [...verdict.reasons].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]?.message ?? verdict.result
}

/** A candidate whose shadow run starts at `startedAt`; it replaces any earlier candidate. */
export function candidateUnderTest (spec: CandidateSpec, startedAt: number): CandidateRecord {
  return {
    view: {
      engineVersion: spec.engine.engineVersion,
      bundleSha256: spec.engine.bundleSha256,
      verification: spec.verification,
      shadow: { state: 'running', progress: 0, startedAt },
      verdict: null,
      eligibleAt: null,
      deferredUntil: null,
      deadline: spec.deadline,
      approved: false
    },
    engine: spec.engine,
    rollout: spec.rollout,
    allowedHosts: spec.allowedHosts
  }
}

export function withCandidateView (state: UpgradeState, change: Partial<UpgradeCandidate>): UpgradeState {
  return state.candidate === null ? state : { ...state, candidate: { ...state.candidate, view: { ...state.candidate.view, ...change } } }
}

export function withCandidateShadow (state: UpgradeState, shadow: UpgradeCandidate['shadow']): UpgradeState {
  return withCandidateView(state, { shadow })
}

/**
 * The candidate with its verdict and, unless it failed, the time it becomes eligible; a failed
 * version is remembered (DESIGN §3.7) and every run leaves a history entry.
 */
export function withVerdict (state: UpgradeState, verdict: ShadowVerdict, eligibleAt: number | null, at: number): UpgradeState {
  const candidate = state.candidate
  if (candidate === null) return state
  const version = candidate.view.engineVersion
  const tested = withCandidateView(state, { shadow: { ...candidate.view.shadow, state: 'done', progress: 1 }, verdict, eligibleAt: verdict.result === 'fail' ? null : eligibleAt })
  const entry: UpgradeHistoryEntry = {
    at,
    kind: verdict.result === 'pass' ? 'shadow-passed' : verdict.result === 'marginal' ? 'shadow-marginal' : 'shadow-failed',
    fromVersion: engineView(state.current).engineVersion,
    toVersion: version,
    detail: topReason(verdict)
  }
  return withHistory(verdict.result === 'fail' ? withFailedVersion(tested, version) : tested, entry)
}
