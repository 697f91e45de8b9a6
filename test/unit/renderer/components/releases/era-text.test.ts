import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeEraSupport } from '../../../../../renderer/src/components/releases/era-text.ts'

describe('describeEraSupport', () => {
  it('reads supported when this vault supports the active era', () => {
    const support = describeEraSupport({ activeEra: 1, supportedEras: [1] })
    assert.deepEqual([support.label, support.tone, support.detail], ['Supported', 'good', 'This vault\'s engine supports era 1.'])
  })

  it('says the vault is ready for the next era it already supports', () => {
    assert.match(describeEraSupport({ activeEra: 1, supportedEras: [1, 2] }).detail, /ready for era 2 when the elders activate it/)
  })

  it('says in words that the vault stops when it does not support the active era', () => {
    const support = describeEraSupport({ activeEra: 3, supportedEras: [1, 2] })
    assert.deepEqual([support.label, support.tone], ['Not supported', 'bad'])
    assert.match(support.detail, /supports eras 1 and 2, not era 3: it stops/)
  })
})
