// What re-replication does, as activity lines for the host's recent events: one when a run starts
// with work to do and one when it ends, never one per chunk.
import type { Replicator } from './replicator.ts'

export function forwardReplicationActivity (replication: Replicator, activity: (kind: string, message: string) => void): void {
  replication.addEventListener('replication:started', event => {
    const { generation, chunks } = event.detail
    if (chunks > 0) activity('replication:started', `the section changed (generation ${generation}): re-checking the ${chunks} chunk(s) this vault holds against their holders`)
  })
  replication.addEventListener('replication:finished', event => {
    const { generation, checked, pushed, failed, cancelled } = event.detail
    if (cancelled) {
      activity('replication:cancelled', `re-check for generation ${generation} stopped after ${checked} chunk(s) for a newer churn; the rest go first in the next`)
      return
    }
    if (checked === 0) return
    const failures = failed === 0 ? '' : `; ${failed} push(es) failed and went to the next holder in order`
    activity('replication:finished', `re-checked ${checked} chunk(s) for generation ${generation}: pushed ${pushed} missing cop${pushed === 1 ? 'y' : 'ies'}${failures}`)
  })
}
