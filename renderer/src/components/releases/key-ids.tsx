import { shortKeyId } from './release-check-text.ts'

/** Key ids, short on screen and whole in a tooltip and for tools reading the page. */
export function KeyIds ({ ids }: { ids: readonly string[] }) {
  if (ids.length === 0) return null
  return (
    <ul className="key-ids">
      {ids.map((id) => <li key={id}><code title={id} data-key-id={id}>{shortKeyId(id)}</code></li>)}
    </ul>
  )
}
