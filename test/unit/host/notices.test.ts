import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ACTIVE_STANDING } from '../../../contract/host-api.ts'
import { buildNotices, type NoticeInputs } from '../../../node-core/host/notices.ts'
import { SAMPLE_SELF_CHECK_FAILED, SAMPLE_SELF_CHECK_PASSED, sampleStanding } from '../../helpers/sample-status.ts'

const healthy: NoticeInputs = {
  state: 'active',
  peers: 4,
  store: { chunks: 1, bytes: 10, capacityBytes: 100, full: false, quarantined: 0 },
  restarts: 0,
  lastError: undefined,
  embedded: false,
  settingsProblem: undefined,
  upgradeRequired: undefined,
  now: 1000
}

const ids = (inputs: Partial<NoticeInputs>): string[] => buildNotices({ ...healthy, ...inputs }).map(notice => notice.id)

describe('buildNotices', () => {
  it('is empty for a healthy vault on a configured network', () => {
    assert.deepEqual(ids({}), [])
  })

  it('names each problem once, and every warning or critical notice says how to fix it', () => {
    assert.deepEqual(ids({ state: 'failed', lastError: { name: 'Error', message: 'EACCES' } }), ['engine-crash-loop'])
    assert.deepEqual(ids({ state: 'restarting' }), ['engine-restarting'])
    assert.deepEqual(ids({ state: 'paused' }), ['paused-by-owner'])
    assert.deepEqual(ids({ peers: 0 }), ['no-peers'])
    assert.deepEqual(ids({ store: { ...healthy.store, full: true, quarantined: 2 } }), ['store-full', 'store-corruption'])
    assert.deepEqual(ids({ embedded: true }), ['embedded-network'])
    const all = buildNotices({ ...healthy, state: 'failed', store: { ...healthy.store, full: true, quarantined: 1 }, lastError: { name: 'E', message: 'disk' } })
    for (const notice of all) assert.ok(notice.fix !== undefined && notice.fix.length > 0, notice.id)
    assert.match(all[0]?.detail ?? '', /disk/)
  })

  it('raises a critical upgrade-required notice naming the minimum versions, the cost and the fix, dated when a peer said so', () => {
    const [notice, ...rest] = buildNotices({ ...healthy, upgradeRequired: { minimum: ['/vault/chunks/2.0.0', '/vault/kad/1.0.0'], since: 400 } })
    assert.equal(rest.length, 0)
    assert.equal(notice?.id, 'upgrade-required')
    assert.equal(notice.severity, 'critical')
    assert.equal(notice.since, 400)
    assert.match(notice.detail, /\/vault\/chunks\/2\.0\.0, \/vault\/kad\/1\.0\.0/)
    assert.match(notice.detail, /not earning/)
    assert.match(notice.detail, /refuse/)
    assert.match(notice.fix ?? '', /upgrade pipeline/)
    assert.match(notice.fix ?? '', /desktop app/)
    assert.deepEqual(ids({ upgradeRequired: undefined }), [])
  })

  it('warns before an unsupported era takes effect and is critical once the vault has stopped for it, with the engine\'s reason', () => {
    const [soon] = buildNotices({ ...healthy, eraNotice: { level: 'warning', text: 'Upgrade required soon: era 2 from epoch 9' } })
    assert.equal(soon?.id, 'era-unsupported')
    assert.equal(soon.severity, 'warning')
    assert.equal(soon.detail, 'Upgrade required soon: era 2 from epoch 9')
    const [stopped] = buildNotices({ ...healthy, state: 'stopped', eraNotice: { level: 'error', text: 'Upgrade required: era 2 is active' } })
    assert.equal(stopped?.severity, 'critical')
    assert.match(stopped.title, /^Stopped: the network moved to an era this vault does not support$/)
    assert.match(stopped.fix ?? '', /latest verified release/)
  })

  it('says a vault that left is stopped, dated when it left, and how to farm again at its rejoin age', () => {
    const notices = buildNotices({ ...healthy, state: 'stopped', peers: 0, left: { at: 600, rejoinAge: 6 } })
    assert.deepEqual(notices.map(notice => notice.id), ['vault-left'])
    assert.equal(notices[0]?.since, 600)
    assert.equal(notices[0]?.severity, 'info')
    assert.equal(notices[0]?.fix, 'To farm again, press Resume: it joins under a new name, at age 6.')
  })

  it('does not warn about peers while the engine is not running', () => {
    assert.deepEqual(ids({ state: 'starting', peers: 0 }), [])
  })

  describe('pause and fix (DESIGN §2)', () => {
    const section = (standing = sampleStanding(), age = 12): NonNullable<NoticeInputs['section']> => ({ standing, generation: 58, age })
    const only = (inputs: Partial<NoticeInputs>) => {
      const notices = buildNotices({ ...healthy, ...inputs })
      assert.equal(notices.length, 1, JSON.stringify(notices))
      const [notice] = notices
      assert.ok(notice !== undefined)
      return notice
    }

    it('says nothing for an active vault', () => {
      assert.deepEqual(ids({ section: section(ACTIVE_STANDING) }), [])
    })

    it('is critical while paused: the reasons, not earning, the churns left and the age it would rejoin at', () => {
      const notice = only({ section: section(sampleStanding(), 13) })
      assert.equal(notice.id, 'section-paused')
      assert.equal(notice.severity, 'critical')
      assert.match(notice.detail, /missed-audit x6; unresponsive x3/)
      assert.match(notice.detail, /earns nothing/)
      assert.match(notice.detail, /age 13 is at risk/)
      assert.match(notice.detail, /within 42 churns \(by generation 100\)/)
      // RFC 0045: half its age, rounded down.
      assert.match(notice.detail, /rejoins at age 6\./)
      assert.match(notice.fix ?? '', /^Press Reconnect \(or run vault resume\)/)
    })

    it('never offers a rejoin age below 5, nor a negative count of churns', () => {
      const notice = only({ section: { standing: sampleStanding(), generation: 120, age: 7 } })
      assert.match(notice.detail, /within 0 churns/)
      assert.match(notice.detail, /rejoins at age 5\./)
    })

    it('gives the failed self-check\'s fixes in order as the fix, or says to reconnect once it passed', () => {
      const failed = only({ section: section(sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_FAILED })) })
      const fixes = SAMPLE_SELF_CHECK_FAILED.checks.flatMap(check => check.fix === undefined ? [] : [check.fix])
      assert.equal(fixes.length, 2)
      assert.equal(failed.fix, fixes.join(' '))
      const passed = only({ section: section(sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_PASSED })) })
      assert.match(passed.fix ?? '', /^The last self-check passed: press Reconnect/)
    })

    it('is informational while the elders audit a resume request, and critical once demoted with the age it rejoins at', () => {
      const requested = only({ section: section(sampleStanding({ state: 'resume-requested', selfCheck: SAMPLE_SELF_CHECK_PASSED })) })
      assert.equal(requested.id, 'resume-requested')
      assert.equal(requested.severity, 'info')
      assert.match(requested.detail, /auditing it on probation/)
      const demoted = only({ section: section(sampleStanding({ state: 'demoted', rejoinAge: 9 }), 18) })
      assert.equal(demoted.id, 'section-demoted')
      assert.equal(demoted.severity, 'critical')
      assert.match(demoted.detail, /removed it/)
      assert.match(demoted.detail, /rejoin at age 9 /)
      assert.ok((demoted.fix ?? '').length > 0)
    })
  })
})
