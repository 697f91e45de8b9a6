import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { describeRelocationOutlook, FIRST_EARNING_AGE, summarizeAge } from './age.ts'
import { describeAgeHistory } from './age-history.ts'
import { relocationOutlook } from './relocation-outlook.ts'

/**
 * Age is what farmers watch (DESIGN §2: the last byte of the name, grown by relocations), with
 * the expected churns until the next relocation and the names it has had, newest first (issue 3,
 * deliver 7).
 */
export function AgeCard ({ status }: { status: Pick<VaultStatus, 'name' | 'age' | 'state' | 'section' | 'ageHistory' | 'updatedAt'> }) {
  const { age } = status
  const summary = summarizeAge(age)
  const outlook = relocationOutlook(status)
  const outlookText = describeRelocationOutlook(outlook)
  const history = describeAgeHistory(status.ageHistory, status.updatedAt)
  return (
    <section className="card age-card" aria-labelledby="age-heading" data-stage={summary.stage}>
      <h2 id="age-heading" className="card__title">Age</h2>
      <p className="age-card__value" data-testid="vault-age">{age}</p>
      <p className="age-card__headline">{summary.headline}</p>
      {summary.stage === 'earning' && (
        <p className="age-card__weight">
          Reward weight 2<sup>{age}</sup>
          {summary.relativeWeight > 1 && <>, {formatCount(summary.relativeWeight)}× an age-{FIRST_EARNING_AGE} vault</>}
        </p>
      )}
      <p className="age-card__detail">{summary.detail}</p>
      <div
        className="age-card__outlook"
        data-testid="relocation-outlook"
        data-kind={outlook.kind}
        data-value={outlook.kind === 'estimate' ? outlook.expectedChurns : undefined}
      >
        <p className="age-card__outlook-headline">{outlookText.headline}</p>
        <p className="age-card__detail">{outlookText.detail}</p>
        {outlookText.note !== null && <p className="age-card__note">{outlookText.note}</p>}
      </div>
      {history.length > 0 && (
        <div className="age-card__history">
          <h3 className="subheading">Age history</h3>
          <ol className="age-history" data-testid="age-history">
            {history.map(row => (
              <li key={row.key} className="age-history__step" data-reason={row.reason} data-current={row.current} title={row.key}>
                <span className="age-history__age">{row.age}</span>
                <span className="age-history__reason">{row.reasonText}</span>
                {row.when !== null && <span className="age-history__when" title={row.whenFull ?? undefined}>{row.when}</span>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  )
}
