import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Notice } from '../../../contract/host-api.ts'
import { createNoticeNotifier } from '../../../electron/notifications.ts'
import { createFakeElectron, makeNotice, makeStatus } from './fakes.ts'

const MINUTE = 60_000

function setup (options: { minGapMs?: number, maxPerHour?: number } = {}) {
  const electron = createFakeElectron()
  let now = 1_700_000_000_000
  let clicks = 0
  const notifier = createNoticeNotifier({
    Notification: electron.Notification,
    now: () => now,
    onClick: () => { clicks++ },
    minGapMs: options.minGapMs ?? 30 * MINUTE,
    maxPerHour: options.maxPerHour
  })
  return {
    electron,
    observe: (...notices: Notice[]) => { notifier.observe(makeStatus({ notices })) },
    advance: (ms: number) => { now += ms },
    titles: () => electron.notifications.filter((n) => n.shown).map((n) => n.options.title),
    clicks: () => clicks
  }
}

describe('createNoticeNotifier', () => {
  it('shows a critical notice when it appears, with its fix, and ignores milder ones', () => {
    const t = setup()
    t.observe(makeNotice({ id: 'low-peers', severity: 'warning', title: 'Few peers' }), makeNotice({ id: 'info', severity: 'info', title: 'Hello' }))
    assert.deepEqual(t.titles(), [])
    t.observe(makeNotice())
    assert.deepEqual(t.titles(), ['Disk almost full'])
    const shown = t.electron.notifications[0]
    assert.ok(shown)
    assert.equal(shown.options.body, 'Not earning: the store cannot accept new chunks.\nFree some space or lower the storage cap.')
    assert.equal(shown.options.urgency, 'critical')
  })

  it('does not repeat a notice that stays open across snapshots', () => {
    const t = setup()
    for (let i = 0; i < 5; i++) {
      t.observe(makeNotice())
      t.advance(45 * MINUTE)
    }
    assert.equal(t.titles().length, 1)
  })

  it('folds a flapping notice within the minimum gap, and shows it again after the gap', () => {
    const t = setup({ minGapMs: 30 * MINUTE })
    t.observe(makeNotice())
    t.advance(MINUTE)
    t.observe()
    t.advance(MINUTE)
    t.observe(makeNotice())
    assert.equal(t.titles().length, 1, 'reappearing within the gap')
    t.observe()
    t.advance(30 * MINUTE)
    t.observe(makeNotice())
    assert.equal(t.titles().length, 2, 'reappearing after the gap')
  })

  it('caps the number of notifications per hour across notice ids', () => {
    const t = setup({ maxPerHour: 3 })
    t.observe(...['a', 'b', 'c', 'd', 'e'].map((id) => makeNotice({ id, title: id })))
    assert.deepEqual(t.titles(), ['a', 'b', 'c'])
    t.observe()
    t.advance(61 * MINUTE)
    t.observe(makeNotice({ id: 'f', title: 'f' }))
    assert.deepEqual(t.titles(), ['a', 'b', 'c', 'f'])
  })

  it('stays silent where the OS has no notifications', () => {
    const t = setup()
    t.electron.Notification.supported = false
    t.observe(makeNotice())
    assert.equal(t.electron.notifications.length, 0)
  })

  it('opens the dashboard when a notification is clicked', () => {
    const t = setup()
    t.observe(makeNotice())
    const shown = t.electron.notifications[0]
    assert.ok(shown)
    shown.emit('click')
    assert.equal(t.clicks(), 1)
  })
})
