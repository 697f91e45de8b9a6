// Whether this vault can take part in the active era (DESIGN §2, versions and eras; issue 4,
// deliver 5: a vault without support for the active era stops with an explicit error).
import type { VersionsStatus } from '../../../../contract/host-api.ts'
import type { Tone } from '../vault/vault-state.ts'

export interface EraSupport { label: string, tone: Tone, detail: string }

function eraList (eras: readonly number[]): string {
  return `${eras.length === 1 ? 'era' : 'eras'} ${eras.join(' and ')}`
}

export function describeEraSupport ({ activeEra, supportedEras }: Pick<VersionsStatus, 'activeEra' | 'supportedEras'>): EraSupport {
  if (!supportedEras.includes(activeEra)) {
    return {
      label: 'Not supported',
      tone: 'bad',
      detail: `This vault's engine supports ${eraList(supportedEras)}, not era ${activeEra}: it stops rather than misbehave until a version that supports era ${activeEra} is installed.`
    }
  }
  const next = supportedEras.filter(era => era > activeEra)
  return {
    label: 'Supported',
    tone: 'good',
    detail: next.length === 0
      ? `This vault's engine supports ${eraList(supportedEras)}.`
      : `This vault's engine supports ${eraList(supportedEras)}: it is ready for era ${next.join(' and ')} when the elders activate it.`
  }
}
