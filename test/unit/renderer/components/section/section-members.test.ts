import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { elderRows, memberList, roleLabel } from '../../../../../renderer/src/components/section/section-members.ts'
import { SAMPLE_NAME } from '../../../../helpers/sample-status.ts'
import { active, forming } from './section-fixtures.ts'

describe('elderRows', () => {
  it('numbers the elders 1 to 7 in the order listed and marks this vault', () => {
    const rows = elderRows(active(18, [20, 19, 17, 16, 15, 14, 5]), SAMPLE_NAME)
    assert.deepEqual(rows.map(row => [row.index, row.age, row.isSelf]), [
      [1, 20, false], [2, 19, false], [3, 18, true], [4, 17, false], [5, 16, false], [6, 15, false], [7, 14, false]
    ])
    assert.match(rows[2]?.shortName ?? '', /^12D3KooWQY…/)
  })

  it('is empty before the section has elders', () => {
    assert.deepEqual(elderRows(forming(5, [20]), SAMPLE_NAME), [])
  })
})

describe('memberList', () => {
  it('once active, marks each member elder or adult and this vault', () => {
    const list = memberList(active(5, [20, 19, 18, 17, 16, 15, 14, 6]), SAMPLE_NAME)
    assert.equal(list.kind, 'members')
    assert.deepEqual(list.rows.map(row => [row.age, row.role, row.isSelf]), [
      [20, 'elder', false], [19, 'elder', false], [18, 'elder', false], [17, 'elder', false], [16, 'elder', false],
      [15, 'elder', false], [14, 'elder', false], [6, 'adult', false], [5, 'adult', true]
    ])
    assert.equal(list.more, 0)
  })

  it('counts the members past the listed ones', () => {
    const section = active(5, [20, 19, 18, 17, 16, 15, 14], { memberCount: 70 })
    assert.equal(memberList(section, SAMPLE_NAME).more, 62)
  })

  it('while forming, lists the vaults known so far and the 7 oldest as elders to be once 7 are known', () => {
    const known = memberList(forming(5, [20, 19, 18, 17, 16, 15, 14]), SAMPLE_NAME)
    assert.equal(known.kind, 'known')
    assert.deepEqual(known.rows.map(row => row.role), [...new Array<string>(7).fill('oldest'), 'known'])
    assert.equal(known.rows.find(row => row.isSelf)?.age, 5)
    assert.deepEqual(memberList(forming(5, [20, 19]), SAMPLE_NAME).rows.map(row => row.role), ['known', 'known', 'known'])
  })
})

describe('roleLabel', () => {
  it('names every role', () => {
    assert.deepEqual((['elder', 'adult', 'oldest', 'known'] as const).map(roleLabel), ['Elder', 'Adult', 'Elder to be', 'Known vault'])
  })
})
