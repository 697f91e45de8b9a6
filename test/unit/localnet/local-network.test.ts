import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FOUNDING_AGES, foundingAge } from '../../../node-core/localnet/local-network.ts'

describe('foundingAge', () => {
  it('spreads founding vaults over every age from a newcomer to a veteran', () => {
    const ages = Array.from({ length: 16 }, (_, index) => foundingAge(index))
    assert.deepEqual([...new Set(ages)].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => FOUNDING_AGES.youngest + i))
    assert.equal(foundingAge(0), FOUNDING_AGES.oldest, 'the bootstrap vault is the oldest')
  })

  it('gives a 20-vault network old and young members alike', () => {
    const ages = Array.from({ length: 20 }, (_, index) => foundingAge(index))
    assert.ok(ages.every(age => age >= FOUNDING_AGES.youngest && age <= FOUNDING_AGES.oldest))
    assert.ok(ages.filter(age => age >= 13).length >= 7, 'enough veterans to fill a section\'s elders')
    assert.ok(ages.filter(age => age <= 8).length >= 4)
  })
})
