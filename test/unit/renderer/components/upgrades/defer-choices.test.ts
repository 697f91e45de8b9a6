import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DAY, WEEK, dateInputBounds, deferChoices, deferRefusal, parseDateTimeInputValue, toDateTimeInputValue
} from '../../../../../renderer/src/components/upgrades/defer-choices.ts'

const NOW = 1_800_000_000_000
const at = (ms: number): string => `<${ms}>`

describe('deferChoices', () => {
  it('offers a day and a week from now when there is no deadline', () => {
    assert.deepEqual(deferChoices(NOW, null, at), [
      { id: 'day', label: 'Defer a day', until: NOW + DAY, enabled: true, reason: null },
      { id: 'week', label: 'Defer a week', until: NOW + WEEK, enabled: true, reason: null }
    ])
  })

  it('disables a choice that would pass the deadline and names the deadline', () => {
    const deadline = NOW + 3 * DAY
    const [day, week] = deferChoices(NOW, deadline, at)
    assert.equal(day?.enabled, true)
    assert.equal(week?.enabled, false)
    assert.equal(week?.reason, `That is past the deadline, <${deadline}>: the active era requires this version by then.`)
  })

  it('allows a choice that lands exactly on the deadline', () => {
    assert.equal(deferChoices(NOW, NOW + DAY, at)[0]?.enabled, true)
    assert.equal(deferChoices(NOW, NOW + DAY - 1, at)[0]?.enabled, false)
  })
})

describe('deferRefusal', () => {
  it('refuses the past, now, a missing date and a date past the deadline', () => {
    assert.equal(deferRefusal(NOW - 1, NOW, null, at), 'Pick a time in the future.')
    assert.equal(deferRefusal(NOW, NOW, null, at), 'Pick a time in the future.')
    assert.equal(deferRefusal(Number.NaN, NOW, null, at), 'Pick a date and time.')
    assert.match(deferRefusal(NOW + 2 * DAY, NOW, NOW + DAY, at) ?? '', /past the deadline/)
    assert.equal(deferRefusal(NOW + DAY, NOW, NOW + DAY, at), null)
  })
})

describe('date input values', () => {
  it('round-trips an instant through the local datetime-local value, to the minute', () => {
    const instant = new Date(2031, 4, 17, 9, 5).getTime()
    assert.equal(toDateTimeInputValue(instant), '2031-05-17T09:05')
    assert.equal(parseDateTimeInputValue('2031-05-17T09:05'), instant)
    assert.equal(parseDateTimeInputValue('2031-05-17T09:05:30'), instant + 30_000)
  })

  it('refuses values that name no date', () => {
    assert.equal(parseDateTimeInputValue(''), null)
    assert.equal(parseDateTimeInputValue('2031-02-31T10:00'), null)
    assert.equal(parseDateTimeInputValue('2031-05-17 09:05'), null)
    assert.equal(parseDateTimeInputValue('2031-13-01T00:00'), null)
  })

  it('bounds the picker from the next minute to the deadline, never past it', () => {
    const now = new Date(2031, 4, 17, 9, 5, 40).getTime()
    const deadline = new Date(2031, 4, 20, 18, 30, 59).getTime()
    assert.deepEqual(dateInputBounds(now, deadline), { min: '2031-05-17T09:06', max: '2031-05-20T18:30' })
    assert.equal(dateInputBounds(now, null).max, undefined)
  })
})
