import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildClassNode, buildOrg, buildUser, buildWorld, mountSomething, resourceBody, tokenFor } from '../../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../../testing/test-app.ts'
import type { Actor } from '../../../platform/auth/actor.ts'
import { searchResources } from './queries.ts'
import { type CreateResourceBody, type ItemInput, SearchQuery } from '../schemas.ts'
import { MAX_TOKENS_PER_TERM, indexTokens, parseSearch, searchTextOf } from './text.ts'

/**
 * GET /api/v1/catalog/resources (SPEC §7.4, API.md "Catalog"): Chinese terms of two characters or
 * more over name, abstract and item names, exact substring semantics, filters, pages and order.
 *
 * The corpus is published once in `before` (realistic entries of a 公安局 and a 民政局, adapted from
 * the real catalogs in shared/data/real-catalogs); every test reads it. Tests that need to write use a
 * third department under class 302 so the corpus counts (class 301) never move.
 */

const API = '/api/v1/catalog/resources'
const START = '2026-03-02T02:00:00.000Z'

type World = Awaited<ReturnType<typeof buildWorld>>

let itemSeq = 0
function item(name: string, shareType: 1 | 2 | 3 = 1, overrides: Partial<ItemInput> = {}): ItemInput {
  itemSeq++
  return {
    name,
    nameEn: `f${itemSeq}`,
    dataType: 'C',
    length: 64,
    shareType,
    shareCondition: shareType === 1 ? undefined : '仅限履职需要，依申请提供',
    sensitive: false,
    piCategory: 'none',
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
    ...overrides,
  }
}

/** The corpus: key → entry. `dept` A = 公安局 (class 301001), B = 民政局 (class 301002). */
const CORPUS: Record<string, { dept: 'A' | 'B'; body: Partial<CreateResourceBody> }> = {
  A1: {
    dept: 'A',
    body: {
      name: '常住人口户籍信息',
      abstract: '本市常住人口的登记、迁入迁出与注销信息，覆盖100个派出所辖区',
      items: [item('公民身份号码'), item('姓名'), item('户籍地址', 2)],
      shareModes: ['api', 'table'],
      updateCycle: 2,
    },
  },
  A2: {
    dept: 'A',
    body: {
      name: '流动人口居住登记信息',
      abstract: '外来人员居住登记、居住证办理信息，包含户籍所在地',
      items: [item('居住证编号'), item('现住址', 2)],
      shareModes: ['api'],
      updateCycle: 3,
    },
  },
  A3: {
    dept: 'A',
    body: {
      name: '出入境证件办理信息',
      abstract: '护照、港澳通行证的受理与签发记录',
      formatClass: 2,
      formatType: 'xlsx',
      items: [item('证件号码'), item('户籍地派出所')],
      shareModes: ['file'],
      updateCycle: 4,
    },
  },
  A4: {
    dept: 'A',
    body: {
      name: '机动车驾驶人信息',
      abstract: '驾驶证核发、换证、记分信息，数据完整率100%',
      formatType: 'Dm',
      items: [item('驾驶证号'), item('准驾车型')],
      shareModes: ['api'],
      updateCycle: 1,
    },
  },
  A5: {
    dept: 'A',
    body: {
      name: 'GIS 警务地理信息图层',
      abstract: '辖区警务网格的空间数据服务',
      formatClass: 7,
      formatType: 'RESTful',
      items: [],
      shareModes: ['api'],
      updateCycle: 5,
    },
  },
  B1: {
    dept: 'B',
    body: {
      name: '婚姻登记信息',
      abstract: '结婚登记、离婚登记及补发婚姻登记证信息',
      items: [item('男方姓名', 2), item('女方姓名', 2), item('登记日期', 1, { dataType: 'D', length: undefined })],
      shareModes: ['api', 'table'],
      updateCycle: 2,
    },
  },
  B2: {
    dept: 'B',
    body: {
      name: '收养登记信息',
      abstract: '收养关系成立、解除登记信息，含收养人婚姻状况',
      items: [item('收养人姓名', 3), item('被收养人姓名', 3)],
      shareModes: ['api'],
      updateCycle: 8,
    },
  },
  B3: {
    dept: 'B',
    body: {
      name: '最低生活保障对象信息',
      // 社会保险 and 保险费 both occur, but 社会保险费 does not: its bigrams are all here, not contiguous.
      abstract: '城乡低保对象的认定、救助金发放及社会保险参保情况',
      items: [item('户主姓名', 2), item('医疗保险费资助金额', 2, { dataType: 'N', length: undefined })],
      shareModes: ['api'],
      updateCycle: 4,
    },
  },
  B4: {
    dept: 'B',
    body: {
      name: '困难群众社会保险费代缴信息',
      abstract: '为低保、特困人员代缴城乡居民养老保险费的记录',
      formatClass: 2,
      formatType: 'xls',
      items: [item('代缴人员姓名', 2), item('代缴金额', 1, { dataType: 'N', length: undefined })],
      shareModes: ['file'],
      updateCycle: 4,
    },
  },
}
const ALL = Object.keys(CORPUS).sort()

describe('catalog search over HTTP', () => {
  let t: TestApp
  let world: World
  const ids: Record<string, string> = {}
  const keyOf = new Map<string, string>()
  let draftId: string

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    await buildClassNode(t.db, '302001', '潍城区测试部门')
    // Publish one entry a minute, so "newest first" has a defined order.
    let minute = 0
    for (const [key, { dept, body }] of Object.entries(CORPUS)) {
      t.clock.set(new Date(Date.parse(START) + minute++ * 60_000))
      const token = dept === 'A' ? world.tokens.cataloger : world.tokens.catalogerB
      const full = resourceBody({ classCode: dept === 'A' ? '301001' : '301002', ...body })
      if (full.items.every((i) => i.shareType === 1)) {
        delete full.shareCondition
        delete full.shareBasis
      }
      const created = await t.request('POST', API, { token, body: full })
      assert.equal(created.status, 201, `${key}: ${JSON.stringify(created.body)}`)
      await mountSomething(t, token, created.body)
      assert.equal((await t.request('POST', `${API}/${created.body.id}/submit`, { token })).status, 200)
      const published = await t.request('POST', `${API}/${created.body.id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
      assert.equal(published.status, 200, `${key}: ${JSON.stringify(published.body)}`)
      ids[key] = created.body.id
      keyOf.set(created.body.id, key)
    }
    // A draft of department A that mentions 户籍: only department A and the authority may find it.
    const draft = await t.request('POST', API, {
      token: world.tokens.cataloger,
      body: resourceBody({
        name: '户籍档案数字化信息',
        abstract: '历史户籍档案扫描件',
        formatClass: 1,
        formatType: 'pdf',
        items: [],
        shareModes: ['file'],
        shareCondition: undefined,
        shareBasis: undefined,
      }),
    })
    assert.equal(draft.status, 201, JSON.stringify(draft.body))
    draftId = draft.body.id
    keyOf.set(draftId, 'DRAFT')
    t.clock.set(START)
  })
  after(() => t.close())

  const search = (query: Record<string, string | number>, token = world.tokens.requester) =>
    t.request('GET', `${API}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, { token })

  /** The corpus keys a search returns (sorted), asserting 200 and a total that matches. */
  async function found(query: Record<string, string | number>, token = world.tokens.requester) {
    const res = await search({ pageSize: 200, ...query }, token)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.total, res.body.items.length, 'total counts the same rows as the page')
    return res.body.items.map((r: any) => keyOf.get(r.id) ?? `other:${r.name}`).sort()
  }

  async function refused(query: Record<string, string | number>, field: string) {
    const before = await t.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('result', '=', 'success')
      .executeTakeFirstOrThrow()
    const res: ApiResponse = await search(query)
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'VALIDATION_FAILED')
    const fields = (res.body.error.details ?? []).map((d: { field: string }) => d.field)
    assert.ok(fields.includes(field), `details should name ${field}, got ${JSON.stringify(res.body.error.details)}`)
    for (const d of res.body.error.details) assert.match(d.message, /[\u4e00-\u9fff]/)
    const after = await t.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('result', '=', 'success')
      .executeTakeFirstOrThrow()
    assert.equal(after.n, before.n, 'a refused search writes nothing')
  }

  describe('Chinese terms', () => {
    test('a 2-character term finds the entries whose name, abstract or an item name contains it, and nothing else', async () => {
      // A1 by name, A2 by abstract, A3 by an item name.
      assert.deepEqual(await found({ q: '户籍' }), ['A1', 'A2', 'A3'])
      assert.deepEqual(await found({ q: '婚姻' }), ['B1', 'B2'])
      assert.deepEqual(await found({ q: '驾驶' }), ['A4'])
    })

    test('a 4-character term finds only entries containing all four characters in a row', async () => {
      assert.deepEqual(await found({ q: '婚姻登记' }), ['B1'])
      assert.deepEqual(await found({ q: '居住登记' }), ['A2'])
      assert.deepEqual(await found({ q: '社会保险' }), ['B3', 'B4'])
    })

    test('two terms separated by a space must both occur', async () => {
      assert.deepEqual(await found({ q: '户籍 登记' }), ['A1', 'A2'])
      assert.deepEqual(await found({ q: '婚姻 收养' }), ['B2'])
      assert.deepEqual(await found({ q: '婚姻　收养' }), ['B2'], 'a full-width space separates terms too')
      assert.deepEqual(await found({ q: '户籍 婚姻' }), [])
    })

    test('a term whose bigrams all occur, but not next to each other, does not match', async () => {
      // B3 holds 社会/会保/保险 (社会保险参保) and 保险/险费 (医疗保险费), yet not 社会保险费.
      assert.deepEqual(await found({ q: '社会保险费' }), ['B4'])
      // Only A3's item holds 户籍地派出所; A1 has 户籍地址 and 派出所辖区, which is not the term.
      assert.deepEqual(await found({ q: '户籍地派出所' }), ['A3'])
    })

    test('a term never matches across the name, abstract and item boundaries', async () => {
      // A2's name ends with 信息 and its abstract starts with 外来: 信息外来 is in neither.
      assert.deepEqual(await found({ q: '信息外来' }), [])
    })

    test('Latin words match whatever their case', async () => {
      for (const q of ['gis', 'GIS', 'Gis']) assert.deepEqual(await found({ q }), ['A5'], q)
      assert.deepEqual(await found({ q: 'GIS 警务' }), ['A5'])
    })

    test('other departments and the authority do not find an unsubmitted draft; its department does', async () => {
      assert.deepEqual(await found({ q: '户籍' }, world.tokens.requester), ['A1', 'A2', 'A3'])
      assert.deepEqual(await found({ q: '户籍' }, world.tokens.catalogerB), ['A1', 'A2', 'A3'])
      assert.deepEqual(await found({ q: '户籍' }, world.tokens.cataloger), ['A1', 'A2', 'A3', 'DRAFT'])
      assert.deepEqual(await found({ q: '户籍' }, world.tokens.authAdmin), ['A1', 'A2', 'A3'])
      assert.deepEqual(await found({ q: '档案' }, world.tokens.requester), [])
    })
  })

  describe('query validation and literal text', () => {
    test('a 1-character term is refused (field q)', async () => {
      await refused({ q: '户' }, 'q')
      await refused({ q: '户籍 口' }, 'q')
      await refused({ q: 'a' }, 'q')
    })

    test('a term longer than 50 characters is refused (field q)', async () => {
      await refused({ q: '户籍'.repeat(26) }, 'q')
    })

    test('an empty or blank q searches everything', async () => {
      assert.deepEqual(await found({ q: '', classCode: '301' }), ALL)
      assert.deepEqual(await found({ q: '   ', classCode: '301' }), ALL)
    })

    test('the LIKE wildcards % and _ in q are literal characters', async () => {
      assert.deepEqual(await found({ q: '100%' }), ['A4'], 'A1 has 100 followed by 个, not %')
      assert.deepEqual(await found({ q: '%%' }), [])
      assert.deepEqual(await found({ q: '__' }), [])
      assert.deepEqual(await found({ q: '户_' }), [])
      assert.deepEqual(await found({ q: '户%' }), [])
      assert.deepEqual(await found({ q: '\\%' }), [])
    })

    test('quotes and tsquery operators in q are plain text', async () => {
      for (const q of ["户籍'&'婚姻", '户籍:*', '户籍|婚姻', "'; drop table resources; --", '!!户籍']) {
        const res = await search({ q })
        assert.equal(res.status, 200, `${q}: ${JSON.stringify(res.body)}`)
        assert.equal(res.body.total, 0, q)
      }
    })
  })

  describe('filters', () => {
    test('classCode filters by prefix', async () => {
      assert.deepEqual(await found({ classCode: '301002' }), ['B1', 'B2', 'B3', 'B4'])
      assert.deepEqual(await found({ classCode: '301001' }), ['A1', 'A2', 'A3', 'A4', 'A5'])
      assert.deepEqual(await found({ classCode: '301' }), ALL)
      assert.deepEqual(await found({ classCode: '30100' }), ALL)
      assert.deepEqual(await found({ classCode: '1' }), [])
      await refused({ classCode: '30a' }, 'classCode')
    })

    test('providerOrgId filters by provider', async () => {
      assert.deepEqual(await found({ providerOrgId: world.deptA.id }), ['A1', 'A2', 'A3', 'A4', 'A5'])
      assert.deepEqual(await found({ providerOrgId: world.deptB.id }), ['B1', 'B2', 'B3', 'B4'])
      await refused({ providerOrgId: 'deptA' }, 'providerOrgId')
    })

    test('shareType filters by the derived share type', async () => {
      assert.deepEqual(await found({ classCode: '301', shareType: 1 }), ['A3', 'A4', 'A5'])
      assert.deepEqual(await found({ classCode: '301', shareType: 2 }), ['A1', 'A2', 'B1', 'B3', 'B4'])
      assert.deepEqual(await found({ classCode: '301', shareType: 3 }), ['B2'])
      await refused({ shareType: 4 }, 'shareType')
    })

    test('updateCycle filters by cycle code', async () => {
      assert.deepEqual(await found({ classCode: '301', updateCycle: 3 }), ['A2'])
      assert.deepEqual(await found({ classCode: '301', updateCycle: 4 }), ['A3', 'B3', 'B4'])
      await refused({ updateCycle: 9 }, 'updateCycle')
    })

    test('status filters by the status the caller sees', async () => {
      assert.deepEqual(await found({ classCode: '301', status: 'published' }), ALL)
      assert.deepEqual(await found({ classCode: '301', status: 'draft' }), [])
      assert.deepEqual(await found({ classCode: '301', status: 'draft' }, world.tokens.authAdmin), [], 'a department’s draft is its own until submitted')
      assert.deepEqual(await found({ classCode: '301', status: 'draft' }, world.tokens.cataloger), ['DRAFT'])
      await refused({ status: 'superseded' }, 'status')
    })

    test('shareMode filters by share mode type', async () => {
      assert.deepEqual(await found({ classCode: '301', shareMode: 'file' }), ['A3', 'B4'])
      assert.deepEqual(await found({ classCode: '301', shareMode: 'table' }), ['A1', 'B1'])
      assert.deepEqual(await found({ classCode: '301', shareMode: 'api' }), ['A1', 'A2', 'A4', 'A5', 'B1', 'B2', 'B3'])
      await refused({ shareMode: 'ftp' }, 'shareMode')
    })

    test('formatClass filters by format class', async () => {
      assert.deepEqual(await found({ classCode: '301', formatClass: 7 }), ['A5'])
      assert.deepEqual(await found({ classCode: '301', formatClass: 2 }), ['A3', 'B4'])
      await refused({ formatClass: 10 }, 'formatClass')
    })

    test('filters and terms combine', async () => {
      assert.deepEqual(await found({ q: '户籍', shareMode: 'table' }), ['A1'])
      assert.deepEqual(await found({ q: '登记', providerOrgId: world.deptB.id }), ['B1', 'B2'])
      assert.deepEqual(await found({ q: '信息', classCode: '301002', shareType: 2, updateCycle: 4 }), ['B3', 'B4'])
    })
  })

  describe('pages and order', () => {
    test('pages walk the whole result once, with the total on every page', async () => {
      const seen: string[] = []
      for (const page of [1, 2, 3]) {
        const res = await search({ classCode: '301', page, pageSize: 4 })
        assert.equal(res.status, 200)
        assert.equal(res.body.total, 9)
        assert.equal(res.body.page, page)
        assert.equal(res.body.pageSize, 4)
        assert.equal(res.body.items.length, page < 3 ? 4 : 1)
        seen.push(...res.body.items.map((r: any) => keyOf.get(r.id)))
      }
      assert.deepEqual([...seen].sort(), ALL, 'every entry once')
      const beyond = await search({ classCode: '301', page: 4, pageSize: 4 })
      assert.equal(beyond.body.total, 9)
      assert.deepEqual(beyond.body.items, [])
      const defaults = await search({ classCode: '301' })
      assert.equal(defaults.body.page, 1)
      assert.equal(defaults.body.pageSize, 20)
    })

    test('a page size of 0 or 201, or page 0, is refused', async () => {
      await refused({ pageSize: 0 }, 'pageSize')
      await refused({ pageSize: 201 }, 'pageSize')
      await refused({ pageSize: 'ten' }, 'pageSize')
      await refused({ page: 0 }, 'page')
      const max = await search({ pageSize: 200 })
      assert.equal(max.status, 200)
    })

    test('without a term the newest publications come first', async () => {
      const res = await search({ classCode: '301', pageSize: 20 })
      assert.deepEqual(
        res.body.items.map((r: any) => keyOf.get(r.id)),
        [...Object.keys(CORPUS)].reverse(),
      )
    })

    test('entries whose name matches come before those matching only by abstract or item', async () => {
      const res = await search({ q: '登记', pageSize: 20 })
      const keys: string[] = res.body.items.map((r: any) => keyOf.get(r.id))
      assert.deepEqual([...keys].sort(), ['A1', 'A2', 'B1', 'B2'])
      const nameMatches = res.body.items.map((r: any) => r.name.includes('登记'))
      assert.deepEqual(nameMatches, [true, true, true, false], `order was ${keys.join(',')}`)
      const hukou = await search({ q: '户籍' })
      assert.equal(keyOf.get(hukou.body.items[0].id), 'A1')
    })
  })

  describe('past the result cap', () => {
    // The cap is 1,000 in service; here it is a few entries, so the corpus exercises every branch of
    // searchResources: the walk in recency order, name matches counted through the bigram index or
    // walked, and the rest walked after them.
    const requesterActor = (): Actor => ({
      userId: world.users.requester.id,
      username: world.users.requester.username,
      name: '测试用户',
      orgId: world.users.requester.orgId,
      orgName: '',
      orgKind: 'department',
      roles: world.users.requester.roles,
      sessionId: 'search-cap-test',
    })
    const run = (q: string, page: number, pageSize: number, cap?: number) => {
      const parsed = parseSearch(q)
      assert.ok(!('tooShort' in parsed))
      return searchResources(t.db, requesterActor(), SearchQuery.parse({ q, page, pageSize }), parsed, 'intranet', cap)
    }

    test('every page within the cap holds the same entries, in the same order, as the uncapped search', async () => {
      for (const q of ['信息', '登记', '户籍', '人口 信息', '证件', '居住登记']) {
        const full = await run(q, 1, 200)
        assert.equal(full.totalCapped, false)
        const order = full.items.map((r) => r.id)
        for (const cap of [1, 2, 3, 5, 8]) {
          if (order.length <= cap) continue
          for (const pageSize of [1, 2, 3, 4]) {
            for (let page = 1; page * pageSize <= cap; page++) {
              const capped = await run(q, page, pageSize, cap)
              const where = `${q} cap ${cap} page ${page}×${pageSize}`
              assert.equal(capped.totalCapped, true, where)
              assert.equal(capped.total, cap, where)
              assert.equal(capped.beyondCap, false, where)
              assert.deepEqual(
                capped.items.map((r) => r.id),
                order.slice((page - 1) * pageSize, page * pageSize),
                where,
              )
            }
            const beyond = await run(q, Math.floor(cap / pageSize) + 1, pageSize, cap)
            assert.equal(beyond.beyondCap, true, `${q} cap ${cap} past the window`)
            assert.deepEqual(beyond.items, [])
          }
        }
      }
    })

    test('a result within the cap is counted exactly and says so', async () => {
      const res = await search({ q: '户籍' })
      assert.equal(res.status, 200)
      assert.equal(res.body.totalCapped, false)
      assert.equal(res.body.total, res.body.items.length)
      assert.equal((await search({ classCode: '301' })).body.totalCapped, false)
    })
  })

  describe('revisions', () => {
    test('other departments search the published text, not a revision in progress', async () => {
      const deptC = await buildOrg(t.db, { name: '测试潍城区民政局' })
      const catalogerC = await buildUser(t.db, { orgId: deptC.id, roles: ['CATALOGER'] })
      const token = await tokenFor(t.db, catalogerC, t.clock.now())
      const body = resourceBody({ classCode: '302001', name: '网格员巡查信息', abstract: '网格员日常巡查记录' })
      const created = await t.request('POST', API, { token, body })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const id = created.body.id
      await mountSomething(t, token, created.body)
      await t.request('POST', `${API}/${id}/submit`, { token })
      await t.request('POST', `${API}/${id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
      const revised = await t.request('PATCH', `${API}/${id}`, {
        token,
        body: {
          ...body,
          abstract: '网格员日常巡查及矛盾纠纷调处记录',
          items: created.body.items.map(({ dataTypeLabel: _a, shareTypeLabel: _b, ...i }: any) =>
            Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null)),
          ),
        },
      })
      assert.equal(revised.status, 200, JSON.stringify(revised.body))

      assert.equal((await search({ q: '纠纷调处' })).body.total, 0, 'the draft revision is not searchable by others')
      assert.equal((await search({ q: '巡查记录' })).body.total, 1, 'the published text still is')
      assert.equal((await search({ q: '纠纷调处' }, token)).body.total, 1, 'the owner finds its working copy')

      await t.request('POST', `${API}/${id}/submit`, { token })
      await t.request('POST', `${API}/${id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
      assert.equal((await search({ q: '纠纷调处' })).body.total, 1, 'once published, the new text is found')
      assert.equal((await search({ q: '矛盾纠纷' })).body.items[0].version, 2)
    })
  })
})

describe('search/text.ts (pure)', () => {
  test('indexTokens: CJK bigrams and lower-cased Latin/digit words, deduplicated', () => {
    assert.deepEqual(indexTokens('户籍信息'), ['户籍', '籍信', '信息'])
    assert.deepEqual(indexTokens('GIS数据 2023年'), ['数据', 'gis', '2023'])
    assert.deepEqual(indexTokens('户籍户籍'), ['户籍', '籍户'])
    assert.deepEqual(indexTokens('户'), [], 'a single character yields no bigram')
    assert.deepEqual(indexTokens('户，籍'), [], 'punctuation breaks a run')
  })

  test('indexTokens never joins the lines of searchTextOf', () => {
    const text = searchTextOf({ name: '人口信息', abstract: '外来人员', items: [{ name: '姓名' }] })
    assert.equal(text, '人口信息\n外来人员\n姓名')
    assert.ok(!indexTokens(text).includes('息外'))
    assert.ok(!indexTokens(text).includes('员姓'))
  })

  test('parseSearch: each term is the AND of its bigrams, Latin words as prefixes', () => {
    assert.deepEqual(parseSearch('户籍'), { tsquery: "'户籍'", terms: ['户籍'], groups: [['户籍']] })
    assert.deepEqual(parseSearch('婚姻登记'), { tsquery: "'婚姻' & '姻登' & '登记'", terms: ['婚姻登记'], groups: [['婚姻登记']] })
    assert.deepEqual(parseSearch('户籍 GIS'), { tsquery: "'户籍' & 'gis':*", terms: ['户籍', 'GIS'], groups: [['户籍'], ['GIS']] })
    assert.deepEqual(parseSearch('户籍 户籍'), { tsquery: "'户籍'", terms: ['户籍', '户籍'], groups: [['户籍'], ['户籍']] })
  })

  test('parseSearch: a term with synonyms matches the term or any of its expansions', () => {
    const synonyms = new Map([['社保', ['社会保险', '社会保障']]])
    assert.deepEqual(parseSearch('社保 户籍', synonyms), {
      tsquery: "(('社保') | ('社会' & '会保' & '保险') | ('社会' & '会保' & '保障')) & '户籍'",
      terms: ['社保', '户籍'],
      groups: [['社保', '社会保险', '社会保障'], ['户籍']],
    })
  })

  test('parseSearch: a term shorter than two characters is reported', () => {
    assert.deepEqual(parseSearch('户'), { tooShort: '户' })
    assert.deepEqual(parseSearch('户籍 口'), { tooShort: '口' })
  })

  test('parseSearch: wildcards and quotes yield no index token', () => {
    assert.deepEqual(parseSearch('%%'), { tsquery: null, terms: ['%%'], groups: [['%%']] })
    assert.deepEqual(parseSearch("'&"), { tsquery: null, terms: ["'&"], groups: [["'&"]] })
  })

  test('parseSearch: at most 5 terms and a bounded number of tokens per term', () => {
    const parsed = parseSearch('一二 三四 五六 七八 九十 甲乙')
    assert.ok(!('tooShort' in parsed))
    assert.equal(parsed.terms.length, 5)
    const long = parseSearch('政务信息资源共享交换平台目录编制指南')
    assert.ok(!('tooShort' in long))
    assert.equal(long.tsquery!.split(' & ').length, MAX_TOKENS_PER_TERM)
  })
})
