import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VaultStateSchema } from '../../../../../contract/host-api.ts'
import { describeState, leaveQuestion, offeredAction } from '../../../../../renderer/src/components/vault/vault-state.ts'
import { sampleStatus } from '../../../../helpers/sample-status.ts'

test('every vault state has a label and a tone', () => {
  for (const state of VaultStateSchema.options) {
    const info = describeState(state)
    assert.ok(info.label.length > 0)
    assert.ok(info.description.length > 0)
  }
  assert.equal(describeState('active').tone, 'good')
  assert.equal(describeState('failed').tone, 'bad')
  assert.equal(describeState('paused').tone, 'warn')
})

test('a running vault offers pause, a paused or stopped one offers resume, and one that left offers to join again', () => {
  assert.deepEqual(offeredAction('active'), { action: 'pause', enabled: true, hint: null })
  assert.deepEqual(offeredAction('paused'), { action: 'resume', enabled: true, hint: null })
  assert.equal(offeredAction('failed').action, 'resume')
  assert.equal(offeredAction('stopped').action, 'resume')
  assert.deepEqual(offeredAction('left'), { action: 'resume', enabled: true, hint: 'Resuming joins the network again under a new name, at half the vault\'s age.' })
  assert.equal(describeState('left').label, 'Left the network')
})

test('pause waits while the engine is starting or restarting', () => {
  for (const state of ['starting', 'restarting'] as const) {
    const offer = offeredAction(state)
    assert.equal(offer.action, 'pause')
    assert.equal(offer.enabled, false)
    assert.ok(offer.hint)
  }
})

test('leaving is offered to a member of a section while the vault runs, saying the age it may come back at', () => {
  const status = sampleStatus({ age: 12 })
  assert.equal(leaveQuestion(status), 'Leaving is for good: this vault of age 12 may come back only under a new name, at age 6. Its section decides the Leave, then the vault stops; its data stays on this computer.')
  assert.match(leaveQuestion({ ...status, state: 'paused' }) ?? '', /at age 6\./)
  assert.equal(leaveQuestion({ ...status, state: 'left' }), null)
  assert.equal(leaveQuestion({ ...status, state: 'starting' }), null)
  assert.equal(leaveQuestion({ ...status, section: null }), null)
  const section = status.section
  assert.ok(section !== null)
  assert.equal(leaveQuestion({ ...status, section: { ...section, isMember: false } }), null, 'a vault still asking to join has nothing to leave')
})
