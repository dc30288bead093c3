import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dice, similarity } from './similarity.ts'

test('dice over bigrams: identical 1, disjoint 0, partial in between', () => {
  assert.equal(dice(['不动', '动产'], ['不动', '动产']), 1)
  assert.equal(dice(['不动'], ['户籍']), 0)
  assert.equal(dice(['不动', '动产', '产登'], ['不动', '动产']), 0.8)
})

test('an entry with the wanted name and items ranks above one that only shares words', () => {
  const demand = { title: '不动产登记信息', description: '', wantedItems: ['不动产权证号', '权利人名称', '坐落'] }
  const good = similarity(demand, { name: '不动产登记信息', abstract: '', items: [{ name: '不动产权证号' }, { name: '权利人名称' }, { name: '坐落' }] })
  const weak = similarity(demand, { name: '动产抵押登记', abstract: '', items: [{ name: '抵押人名称' }] })
  const none = similarity(demand, { name: '婚姻登记', abstract: '', items: [{ name: '男方姓名' }] })
  assert.equal(good.score, 1)
  assert.deepEqual(good.matchedItems, ['不动产权证号', '权利人名称', '坐落'])
  assert.ok(weak.score > none.score && weak.score < good.score, `${weak.score} between ${none.score} and ${good.score}`)
})
