import { useId, type ReactNode } from 'react'

type CardProps = {
  title: string
  /** Extra content beside the heading (a count, a status). */
  aside?: ReactNode
  className?: string
  testId?: string
  children: ReactNode
}

/** A titled region: the heading names the section for screen readers too. */
export function Card ({ title, aside, className, testId, children }: CardProps) {
  const headingId = useId()
  return (
    <section className={className === undefined ? 'card' : `card ${className}`} aria-labelledby={headingId} data-testid={testId}>
      <header className="card__header">
        <h2 id={headingId} className="card__title">{title}</h2>
        {aside}
      </header>
      {children}
    </section>
  )
}
