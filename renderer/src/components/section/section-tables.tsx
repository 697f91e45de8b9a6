import { formatCount } from '../../format/bytes.ts'
import { roleLabel, type ElderRow, type MemberList } from './section-members.ts'

function YouMarker ({ isSelf }: { isSelf: boolean }) {
  return isSelf ? <span className="badge section-you" data-tone="good">You</span> : null
}

function VaultId ({ name, shortName }: { name: string, shortName: string }) {
  return <code title={name}>{shortName}</code>
}

/** The elders in key-share order (DESIGN §2: the 7 oldest, 5 of whom sign a decision). */
export function EldersTable ({ rows }: { rows: ElderRow[] }) {
  return (
    <div className="section-table">
      <h3 className="subheading">{`Elders (${rows.length})`}</h3>
      {rows.length === 0
        ? <p className="empty-note">No elders yet: the section has none until its key exists.</p>
        : (
          <div className="section-table__scroll" tabIndex={0} role="region" aria-label="Elders">
            <table className="data-table section-table__table" data-testid="section-elders">
              <thead>
                <tr>
                  <th scope="col" title="The elder's key share index">Index</th>
                  <th scope="col">Vault</th>
                  <th scope="col">Age</th>
                  <th scope="col"><span className="section-table__hidden">This vault</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.name} data-name={row.name} data-age={row.age} data-self={row.isSelf}>
                    <td>{row.index}</td>
                    <th scope="row"><VaultId name={row.name} shortName={row.shortName} /></th>
                    <td>{row.age}</td>
                    <td><YouMarker isSelf={row.isSelf} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
    </div>
  )
}

/** The members oldest first (while forming: the vaults known so far), with "and N more" past the listed ones. */
export function MembersTable ({ list, count }: { list: MemberList, count: number }) {
  const title = list.kind === 'members' ? `Members (${formatCount(count)})` : `Vaults known so far (${formatCount(count)})`
  return (
    <div className="section-table">
      <h3 className="subheading">{title}</h3>
      {list.rows.length === 0
        ? <p className="empty-note">{list.kind === 'members' ? 'No members listed.' : 'No vaults known yet.'}</p>
        : (
          <div className="section-table__scroll" tabIndex={0} role="region" aria-label={list.kind === 'members' ? 'Members' : 'Vaults known so far'}>
            <table className="data-table section-table__table" data-testid="section-members" data-kind={list.kind}>
              <thead>
                <tr>
                  <th scope="col">Vault</th>
                  <th scope="col">Age</th>
                  <th scope="col">Role</th>
                  <th scope="col"><span className="section-table__hidden">This vault</span></th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((row) => (
                  <tr key={row.name} data-name={row.name} data-age={row.age} data-role={row.role} data-self={row.isSelf}>
                    <th scope="row"><VaultId name={row.name} shortName={row.shortName} /></th>
                    <td>{row.age}</td>
                    <td>{roleLabel(row.role)}</td>
                    <td><YouMarker isSelf={row.isSelf} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      {list.more > 0 && <p className="empty-note" data-testid="section-more" data-count={list.more}>{`and ${formatCount(list.more)} more`}</p>}
    </div>
  )
}
