import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { Card } from '../common/card.tsx'
import { CopyButton } from '../common/copy-button.tsx'
import { Stat } from '../common/stat.tsx'
import { elderRows, memberList } from './section-members.ts'
import { EldersTable, MembersTable } from './section-tables.tsx'
import { describePhase, describePrefix, describeSelf, shortSectionKey, whyNoSection } from './section-text.ts'

/** Issue 3, deliver 7: the section's phase, prefix, key and generation, and its elders and members with their ages. */
export function SectionCard ({ status }: { status: Pick<VaultStatus, 'name' | 'state' | 'section'> }) {
  const { section, name } = status
  if (section === null) {
    const why = whyNoSection(status.state)
    return (
      <Card title="Section" className="section-card" testId="section-panel">
        <p className="section-card__none" data-testid="section-phase" data-phase={why}>
          {why === 'no-section'
            ? 'This engine runs no section: it is a shadow engine under test, or a version older than the section protocol.'
            : 'The engine is not running, so it reports no section.'}
        </p>
      </Card>
    )
  }
  const phase = describePhase(section, name)
  const self = describeSelf(section, name)
  return (
    <Card
      title="Section"
      className="section-card"
      testId="section-panel"
      aside={<span className="badge" data-tone={phase.tone} data-testid="section-phase-badge">{phase.label}</span>}
    >
      <p className="section-card__phase" data-testid="section-phase" data-phase={section.phase}>{phase.detail}</p>
      <dl className="stats">
        <Stat label="Covers" testId="section-prefix" rawValue={section.prefix}>
          {describePrefix(section.prefix)}
        </Stat>
        <Stat label="This vault" testId="section-self" rawValue={self.role}>
          <span className="badge" data-tone={self.tone}>{self.label}</span>
        </Stat>
        <Stat label="Generation" testId="section-generation" rawValue={section.generation}>
          <span title="How many decisions the section has made since it formed">{formatCount(section.generation)}</span>
        </Stat>
        {section.joinsAllowed !== undefined && (
          <Stat label="New vaults" testId="section-joins" rawValue={section.joinsAllowed ? 'open' : 'closed'}>
            <span title="DESIGN: a section admits new vaults only while it needs storage">{section.joinsAllowed ? 'Admitted: the section needs storage' : 'Not now: no storage needed'}</span>
          </Stat>
        )}
        <Stat label="Section key" testId="section-key" rawValue={section.sectionKey ?? ''}>
          {section.sectionKey === null
            ? <span className="section-card__pending">None yet</span>
            : (
              <span className="section-card__key">
                <code title={section.sectionKey}>{shortSectionKey(section.sectionKey)}</code>
                <CopyButton text={section.sectionKey} label="Copy the section key" />
              </span>
              )}
        </Stat>
      </dl>
      <p className="section-card__self">{self.detail}</p>
      <EldersTable rows={elderRows(section, name)} />
      <MembersTable list={memberList(section, name)} count={section.memberCount} />
    </Card>
  )
}
