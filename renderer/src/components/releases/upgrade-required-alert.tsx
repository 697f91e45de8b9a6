import { requirementLines, type UpgradeRequirement } from './upgrade-requirement.ts'

/**
 * The "upgrade required" notice with its deadline. Not a live region: the status is pushed every
 * few seconds and the relative times change, which would make a screen reader repeat it.
 */
export function UpgradeRequiredAlert ({ requirement, now }: { requirement: UpgradeRequirement, now: number }) {
  return (
    <div
      className="upgrade-required"
      data-tone="bad"
      data-testid="upgrade-required"
      data-deadline={requirement.deadline?.at ?? ''}
      data-since={requirement.since ?? ''}
    >
      <p className="upgrade-required__title">Upgrade required</p>
      <ul className="upgrade-required__lines">
        {requirementLines(requirement, now).map((line) => <li key={line}>{line}</li>)}
      </ul>
    </div>
  )
}
