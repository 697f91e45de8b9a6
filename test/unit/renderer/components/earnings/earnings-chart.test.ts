// The Earnings card's chart and table (issue 3 deliver 7): cumulative earnings by epoch as a step
// line ending at the vault's total, the records newest first, and the empty state's reason.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { earningsEmptyReason } from '../../../../../contract/earnings.ts'
import type { EarningsRecord } from '../../../../../contract/host-api.ts'
import { earningsChart, earningsRows, sectionLabel } from '../../../../../renderer/src/components/earnings/earnings-chart.ts'
import { sampleStanding, sampleStatus } from '../../../../helpers/sample-status.ts'

const BOX = { width: 110, height: 60, padding: 5 }
const record = (epoch: number, amount: number, pool = 100): EarningsRecord => ({ epoch, sectionPrefix: '', amount, pool, signedAt: epoch * 1000 })

describe('the earnings chart', () => {
  it('rises at each record by its amount, flat between, and ends at the total', () => {
    const chart = earningsChart({ total: '100', records: [record(12, 50), record(10, 20), record(11, 30)] }, BOX)
    assert.deepEqual(chart.points.map(p => [p.epoch, p.cumulative]), [[10, 20], [11, 50], [12, 100]])
    assert.equal(chart.max, 100)
    // x spreads the epochs over the 100 inner units, y runs from 55 (nothing) up to 5 (the total).
    assert.deepEqual(chart.points.map(p => [p.x, p.y]), [[5, 45], [55, 30], [105, 5]])
    assert.equal(chart.path, 'M5,55 H5 V45 H55 V30 H105 V5')
    assert.equal(chart.area, 'M5,55 H5 V45 H55 V30 H105 V5 V55 H5 Z')
  })

  it('starts from the earnings of records older than the status carries', () => {
    const chart = earningsChart({ total: '300', records: [record(40, 60), record(41, 40)] }, BOX)
    assert.deepEqual(chart.points.map(p => p.cumulative), [260, 300])
    // 200 earned before: the line starts at 200 of 300, not at zero.
    assert.equal(chart.path.split(' ')[0], 'M5,21.7')
  })

  it('draws nothing without records', () => {
    assert.deepEqual(earningsChart({ total: '0', records: [] }, BOX), { points: [], path: '', area: '', max: 1 })
  })

  it('lists the records newest first with the vault\'s share of each pool', () => {
    assert.deepEqual(earningsRows([record(3, 25), record(4, 100), record(5, 0, 0)]).map(r => [r.epoch, r.share]), [[5, '0%'], [4, '100%'], [3, '25.0%']])
    assert.equal(sectionLabel(''), 'whole network')
    assert.equal(sectionLabel('01'), '01')
  })
})

describe('why a vault earned nothing', () => {
  it('says age 5 waits for its first relocation, a paused vault or one that left earns nothing, elders run the section', () => {
    const status = sampleStatus()
    const section = status.section
    assert.ok(section !== null)
    assert.match(earningsEmptyReason({ state: 'active', age: 5, section }), /age 5 earns nothing until its first relocation/)
    assert.match(earningsEmptyReason({ state: 'active', age: 12, section: { ...section, standing: sampleStanding() } }), /paused vault earns nothing/)
    assert.match(earningsEmptyReason({ state: 'active', age: 20, section: { ...section, isElder: true } }), /elders run the section/)
    assert.match(earningsEmptyReason({ state: 'active', age: 12, section: null }), /not a member of a section yet/)
    assert.match(earningsEmptyReason({ state: 'active', age: 12, section: { ...section, isElder: false } }), /no reward record names this vault yet/)
    assert.equal(earningsEmptyReason({ state: 'left', age: 12, section: null }), 'a vault that left the network earns nothing')
  })
})
