import { Fragment } from 'react'

/** Renders `text`, showing the parts between backticks as <code> (commands, URL parts). */
export function TextWithCode ({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, index) => index % 2 === 1
        ? <code key={index} className="nowrap">{part}</code>
        : <Fragment key={index}>{part}</Fragment>)}
    </>
  )
}
