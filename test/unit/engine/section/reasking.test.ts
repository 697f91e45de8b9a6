// A request the section node sends again each retry period until it is no longer wanted
// (schedule.ts): asking to join, to resume, to leave, and telling the elders a release's eras.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Reasking } from '../../../../node-core/engine/section/schedule.ts'
import { ManualClock } from './memory-section.ts'

describe('Reasking', () => {
  it('asks now and again each interval while the request is wanted, and no more once it is not', async () => {
    const clock = new ManualClock()
    const asking = new Reasking(clock.schedule, 1000)
    const asked: number[] = []
    let wanted = true
    asking.run(() => { asked.push(clock.now); return wanted })
    await clock.advance(2500)
    assert.deepEqual(asked, [0, 1000, 2000])
    wanted = false
    await clock.advance(1000)
    await clock.advance(5000)
    assert.deepEqual(asked, [0, 1000, 2000, 3000], 'asked once more, found unwanted, and stopped')
  })

  it('replaces an earlier asking when run again, and stop ends it', async () => {
    const clock = new ManualClock()
    const asking = new Reasking(clock.schedule, 1000)
    const asked: string[] = []
    asking.run(() => { asked.push(`first@${clock.now}`); return true })
    await clock.advance(500)
    asking.run(() => { asked.push(`second@${clock.now}`); return true })
    await clock.advance(1200)
    asking.stop()
    await clock.advance(5000)
    assert.deepEqual(asked, ['first@0', 'second@500', 'second@1500'])
  })

  it('again: asks first after one interval, for a request just sent, and replaces an earlier asking', async () => {
    const clock = new ManualClock()
    const asking = new Reasking(clock.schedule, 1000)
    const asked: string[] = []
    asking.run(() => { asked.push(`run@${clock.now}`); return true })
    await clock.advance(300)
    let wanted = true
    asking.again(() => { asked.push(`again@${clock.now}`); return wanted })
    await clock.advance(2000)
    wanted = false
    await clock.advance(5000)
    assert.deepEqual(asked, ['run@0', 'again@1300', 'again@2300', 'again@3300'])
  })
})
