import type { IsolationLayer } from '../../../../contract/upgrade.ts'
import { describeLayer } from './sandbox-text.ts'

/** Which sandbox layers were in force on this machine, and why a missing one is missing. */
export function IsolationLayers ({ layers }: { layers: readonly IsolationLayer[] }) {
  const active = layers.filter((layer) => layer.active).length
  return (
    <div className="isolation">
      <h4 className="subheading">{`Isolation on this machine: ${active} of ${layers.length} layers active`}</h4>
      <ul className="isolation__list" data-testid="isolation-layers">
        {layers.map((layer) => {
          const text = describeLayer(layer.layer)
          return (
            <li key={layer.layer} className="isolation__layer" data-layer={layer.layer} data-active={layer.active}>
              <span className="badge" data-tone={layer.active ? 'good' : 'warn'}>{layer.active ? 'Active' : 'Not active'}</span>
              <span className="isolation__name" title={text.purpose}>{text.label}</span>
              <span className="isolation__detail">{layer.detail}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
