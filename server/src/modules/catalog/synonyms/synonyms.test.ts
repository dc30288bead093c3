import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildWorld, itemInput, publishResource } from '../../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../../testing/test-app.ts'

/**
 * GET/PUT/DELETE /catalog/search-synonyms and their effect on GET /catalog/resources: a term people
 * type (社保) also finds the entries written with the full term (社会保险), and the list is the authority's.
 */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
const search = async (q: string, token = world.tokens.requester) => {
  const res = await t.request('GET', `/api/v1/catalog/resources?q=${encodeURIComponent(q)}&pageSize=50`, { token })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body as { items: { name: string }[]; total: number; matchedTerms: string[] }
}
const names = (page: { items: { name: string }[] }) => page.items.map((i) => i.name).sort()

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  const tokens = world.tokens
  await publishResource(t, tokens, { name: '职工社会保险参保信息', abstract: '全市职工参保登记。', items: [itemInput('姓名', 'xm')] })
  await publishResource(t, tokens, { name: '社保卡发放信息', abstract: '社保卡制卡与发放记录。', items: [itemInput('卡号', 'kh')] })
  await publishResource(t, tokens, { name: '城乡最低生活保障对象', abstract: '保障对象与保障金额。', items: [itemInput('姓名', 'xm')] })
  await publishResource(t, tokens, { name: '住房公积金缴存信息', abstract: '缴存基数与缴存比例。', items: [itemInput('单位名称', 'dwmc')] })
  await publishResource(t, tokens, { name: '企业登记信息', abstract: '市场主体设立、变更与注销。', items: [itemInput('企业名称', 'qymc')] })
  await publishResource(t, tokens, { name: '医疗机构执业登记', abstract: '医疗机构名称与类别。', items: [itemInput('机构名称', 'jgmc')] })
})
after(() => t.close())

test('the seeded abbreviations find entries written with the full term, with the terms to highlight', async () => {
  const social = await search('社保')
  assert.deepEqual(names(social), ['社保卡发放信息', '职工社会保险参保信息'])
  assert.deepEqual(social.matchedTerms, ['社保', '社会保险', '社会保障'])
  assert.deepEqual(names(await search('低保')), ['城乡最低生活保障对象'])
  assert.deepEqual(names(await search('公积金')), ['住房公积金缴存信息'])
  assert.deepEqual(names(await search('营业执照')), ['企业登记信息'])
  // Each term keeps AND semantics: the widened term and a second term must both match.
  assert.deepEqual(names(await search('社保 参保')), ['职工社会保险参保信息'])
  // A term without synonyms is unchanged, and a synonym is not a substring rule: 医疗 stays 医疗.
  assert.deepEqual(names(await search('医疗')), ['医疗机构执业登记'])
  assert.deepEqual((await search('医疗')).matchedTerms, ['医疗'])
})

test('the authority edits the list; the change applies to the next search and is audited', async () => {
  assert.deepEqual(names(await search('执业')), ['医疗机构执业登记'])
  assert.deepEqual(names(await search('诊所')), [])
  const saved = await t.request('PUT', `/api/v1/catalog/search-synonyms/${encodeURIComponent('诊所')}`, {
    token: world.tokens.authAdmin,
    body: { expansions: [' 医疗机构 ', '医疗机构'] },
  })
  assert.equal(saved.status, 200, JSON.stringify(saved.body))
  assert.deepEqual(saved.body.expansions, ['医疗机构'])
  assert.ok(saved.body.updatedByName)
  assert.deepEqual(names(await search('诊所')), ['医疗机构执业登记'])
  const listed = await t.request('GET', '/api/v1/catalog/search-synonyms', { token: world.tokens.requester })
  assert.equal(listed.status, 200)
  assert.ok(
    listed.body.items.some((s: { term: string }) => s.term === '社保'),
    'seeded with common abbreviations',
  )
  assert.ok(listed.body.items.some((s: { term: string }) => s.term === '诊所'))
  const audit = await t.db.selectFrom('auditEvents').select(['detail', 'actorId']).where('action', '=', 'catalog.synonym.update').executeTakeFirstOrThrow()
  assert.deepEqual(audit.detail, { term: '诊所', before: null, after: ['医疗机构'] })
  assert.equal(audit.actorId, world.users.authAdmin.id)

  const removed = await t.request('DELETE', `/api/v1/catalog/search-synonyms/${encodeURIComponent('诊所')}`, { token: world.tokens.authAdmin })
  assert.equal(removed.status, 200)
  assert.deepEqual(names(await search('诊所')), [])
  assert.equal((await t.request('DELETE', `/api/v1/catalog/search-synonyms/${encodeURIComponent('诊所')}`, { token: world.tokens.authAdmin })).status, 404)
})

test('only the authority changes the list; bad input is refused with the field named and changes nothing', async () => {
  const before = await t.db.selectFrom('searchSynonyms').selectAll().orderBy('term').execute()
  for (const token of [world.tokens.cataloger, world.tokens.requester, world.tokens.sysAdmin, world.tokens.deptAdmin]) {
    assert.equal(
      (await t.request('PUT', `/api/v1/catalog/search-synonyms/${encodeURIComponent('社保')}`, { token, body: { expansions: ['社会'] } })).status,
      403,
    )
    assert.equal((await t.request('DELETE', `/api/v1/catalog/search-synonyms/${encodeURIComponent('社保')}`, { token })).status, 403)
  }
  const put = (term: string, body: unknown) =>
    t.request('PUT', `/api/v1/catalog/search-synonyms/${encodeURIComponent(term)}`, { token: world.tokens.authAdmin, body })
  for (const [term, body, field, message] of [
    ['社保', { expansions: [] }, 'expansions', /至少填写一个/],
    ['社保', { expansions: ['社'] }, 'expansions[0]', /至少两个字/],
    ['社保', { expansions: ['社会 保险'] }, 'expansions[0]', /不能含空格/],
    ['社保', { expansions: ['社保'] }, 'expansions', /不能与简称「社保」相同/],
    ['社', { expansions: ['社会保险'] }, 'term', /至少两个字/],
  ] as const) {
    const res = await put(term, body)
    assert.equal(res.status, 400, JSON.stringify(body))
    assert.equal(res.body.error.details[0].field, field)
    assert.match(res.body.error.details[0].message, message)
  }
  assert.equal((await t.request('GET', '/api/v1/catalog/search-synonyms')).status, 401)
  assert.deepEqual(await t.db.selectFrom('searchSynonyms').selectAll().orderBy('term').execute(), before)
})

test('a synonym holding search syntax cannot widen or break the search', async () => {
  const saved = await t.request('PUT', `/api/v1/catalog/search-synonyms/${encodeURIComponent('全部')}`, {
    token: world.tokens.authAdmin,
    body: { expansions: ['%%', "'|'", '\\\\'] },
  })
  assert.equal(saved.status, 200, JSON.stringify(saved.body))
  // `%%` and quotes are matched literally (substring test), never as wildcards or query operators.
  assert.deepEqual(names(await search('全部')), [])
})
