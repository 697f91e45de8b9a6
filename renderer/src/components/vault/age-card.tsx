import { formatCount } from '../../format/bytes.ts'
import { FIRST_EARNING_AGE, summarizeAge } from './age.ts'

/** Age is what farmers watch (DESIGN §2: the last byte of the name, grown by relocations). */
export function AgeCard ({ age }: { age: number }) {
  const summary = summarizeAge(age)
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
    </section>
  )
}
