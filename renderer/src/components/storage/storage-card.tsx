import type { StoreStatus } from '../../../../contract/host-api.ts'
import { formatCount } from '../../format/bytes.ts'
import { Card } from '../common/card.tsx'
import { Stat } from '../common/stat.tsx'
import { NEARLY_FULL_FRACTION, summarizeCapacity } from './capacity.ts'

/** Chunks and bytes held against the storage cap. */
export function StorageCard ({ store }: { store: StoreStatus }) {
  const capacity = summarizeCapacity(store)
  return (
    <Card title="Storage" className="storage-card">
      <p className="storage-card__usage">
        <span className="storage-card__used" data-testid="store-bytes" data-value={store.bytes}>{capacity.used}</span>
        {' '}<span className="storage-card__of">of {capacity.capacity}</span>
      </p>
      <meter
        className="capacity-meter"
        aria-label="Storage used"
        min={0}
        max={1}
        low={0.75}
        high={NEARLY_FULL_FRACTION}
        optimum={0}
        value={capacity.fraction}
        data-level={capacity.level}
      >
        {capacity.percent}
      </meter>
      <p className="storage-card__caption">{capacity.percent} used · {capacity.free} free</p>
      {capacity.level === 'full' && (
        <p className="inline-warning" data-tone="bad" data-testid="store-full">
          <strong>Store full.</strong> The vault accepts no new data and earns less. Raise the storage cap or free disk space.
        </p>
      )}
      {capacity.level === 'nearly-full' && (
        <p className="inline-warning" data-tone="warn">
          <strong>Nearly full.</strong> Above {Math.round(NEARLY_FULL_FRACTION * 100)}% the section looks for more storage; consider raising the cap.
        </p>
      )}
      <dl className="stats">
        <Stat label="Chunks" testId="store-chunks" rawValue={store.chunks}>{formatCount(store.chunks)}</Stat>
        <Stat label="Quarantined" rawValue={store.quarantined} tone={store.quarantined > 0 ? 'warn' : undefined}>
          {formatCount(store.quarantined)}
        </Stat>
      </dl>
    </Card>
  )
}
