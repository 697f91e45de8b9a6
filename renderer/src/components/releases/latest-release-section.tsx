import { useId } from 'react'
import type { VersionsStatus } from '../../../../contract/host-api.ts'
import { formatTimestamp } from '../../format/duration.ts'
import { KeyIds } from './key-ids.tsx'
import { describeReleaseCheck, releaseFacts } from './release-check-text.ts'

/** The newest release announced on the network and the vault's check of it: evidence or the attack it stopped. */
export function LatestReleaseSection ({ latest, followsReleases }: Pick<VersionsStatus, 'followsReleases'> & { latest: VersionsStatus['latestRelease'] }) {
  const headingId = useId()
  const text = describeReleaseCheck(latest, followsReleases)
  const check = latest?.check ?? null
  return (
    <section className="latest-release" aria-labelledby={headingId} data-testid="latest-release" data-state={text.state} data-pointer={latest?.pointerVersion ?? ''}>
      <h3 id={headingId} className="subheading">Latest release</h3>
      <p className="latest-release__head">
        <span className="badge" data-tone={text.tone} data-testid="release-verdict">{text.label}</span>
        <span className="latest-release__summary">{text.summary}</span>
      </p>
      {latest !== null && (
        <p className="latest-release__pointer">
          {`Announcement ${latest.pointerVersion}, published ${formatTimestamp(Date.parse(latest.publishedAt))}; index `}
          <code title={latest.indexAddress}>{`${latest.indexAddress.slice(0, 12)}…`}</code>
        </p>
      )}
      {check?.verdict === 'verified' && (
        <dl className="release-facts" data-testid="release-facts">
          {releaseFacts(check).map((fact) => (
            <div key={fact.id} className="release-facts__fact" data-fact={fact.id}>
              <dt className="stat__label">{fact.label}</dt>
              <dd>
                {fact.id === 'bundle' ? <code className="release-facts__sha">{fact.text}</code> : fact.text}
                {fact.keys !== undefined && <KeyIds ids={fact.keys} />}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {check?.verdict === 'rejected' && (
        <div className="release-rejection" data-testid="release-rejection" data-code={check.code}>
          <ul className="release-rejection__reasons" aria-label="Why the vault refused it">
            {check.reasons.map((reason) => <li key={reason}>{reason}</li>)}
          </ul>
        </div>
      )}
    </section>
  )
}
