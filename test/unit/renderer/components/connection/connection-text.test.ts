import { test } from 'node:test'
import assert from 'node:assert/strict'
import { describeProblem } from '../../../../../renderer/src/components/connection/connection-text.ts'

test('token problems tell the owner to open the URL the host printed, with its token', () => {
  for (const problem of ['missing-token', 'bad-token'] as const) {
    const text = describeProblem(problem)
    assert.match(text.detail, /URL/)
    assert.match(text.detail, /\?token=/)
  }
  assert.match(describeProblem('bad-token').title, /refused/)
})

test('with no host at all the page points to the app or the headless command', () => {
  assert.match(describeProblem('no-host').detail, /vault start --headless/)
})
