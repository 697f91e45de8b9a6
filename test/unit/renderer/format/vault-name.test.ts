import { test } from 'node:test'
import assert from 'node:assert/strict'
import { shortenVaultName } from '../../../../renderer/src/format/vault-name.ts'
import { SAMPLE_NAME } from '../../../helpers/sample-status.ts'

test('shortenVaultName keeps both ends of a PeerId around an ellipsis', () => {
  assert.equal(shortenVaultName(SAMPLE_NAME), '12D3KooWQY…CVe2Xo')
  assert.equal(shortenVaultName('abcdefghijklmnopqrstuvwxyz', 4, 3), 'abcd…xyz')
})

test('shortenVaultName leaves a name alone when shortening would save almost nothing', () => {
  assert.equal(shortenVaultName('short-name'), 'short-name')
  // 10 + 6 + 3 characters: the ellipsis would hide only three
  assert.equal(shortenVaultName('a'.repeat(19)), 'a'.repeat(19))
  assert.equal(shortenVaultName('a'.repeat(20)), `${'a'.repeat(10)}…${'a'.repeat(6)}`)
})

test('shortenVaultName rejects nonsense lengths', () => {
  assert.throws(() => shortenVaultName(SAMPLE_NAME, 0), RangeError)
  assert.throws(() => shortenVaultName(SAMPLE_NAME, 4, 1.5), RangeError)
})
