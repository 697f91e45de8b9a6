// The steps of a switch (DESIGN §3, step 7: drain, stop, back up, start, health window), and
// rolling back when one fails.
import type { UpgradeStatus } from '../../../../contract/upgrade.ts'

export type SwitchPhase = NonNullable<UpgradeStatus['switching']>['phase']

export const SWITCH_STEPS: readonly SwitchPhase[] = ['draining', 'stopping', 'backing-up', 'starting', 'health-window']

export function describePhase (phase: SwitchPhase): string {
  switch (phase) {
    case 'draining': return 'Finishing requests in flight'
    case 'stopping': return 'Stopping the current engine'
    case 'backing-up': return 'Backing up the data the migration touches'
    case 'starting': return 'Starting the new engine'
    case 'health-window': return 'Watching the new engine\'s health'
    case 'rolling-back': return 'Rolling back to the previous version'
    default: {
      const unreachable: never = phase
      throw new TypeError(`unknown switch phase ${String(unreachable)}`)
    }
  }
}

/** "Step 2 of 5: Stopping the current engine", or the rollback on its own. */
export function phaseProgress (phase: SwitchPhase): { step: number | null, of: number, text: string } {
  const index = SWITCH_STEPS.indexOf(phase)
  if (index === -1) return { step: null, of: SWITCH_STEPS.length, text: describePhase(phase) }
  return { step: index + 1, of: SWITCH_STEPS.length, text: `Step ${index + 1} of ${SWITCH_STEPS.length}: ${describePhase(phase)}` }
}
