import type { ReactNode } from 'react'

type StatProps = {
  label: string
  testId?: string
  /** The raw value, for tests and tools reading the page; the text may be formatted. */
  rawValue?: string | number
  tone?: 'warn' | 'bad'
  children: ReactNode
}

/** One labelled value inside a <dl className="stats">. */
export function Stat ({ label, testId, rawValue, tone, children }: StatProps) {
  return (
    <div className="stat">
      <dt className="stat__label">{label}</dt>
      <dd className={tone === undefined ? 'stat__value' : `stat__value tone-text--${tone}`} data-testid={testId} data-value={rawValue}>
        {children}
      </dd>
    </div>
  )
}
