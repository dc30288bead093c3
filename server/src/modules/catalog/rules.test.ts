import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { buildClassNode, buildWorld, resourceBody } from '../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { missingForSubmission } from '../../../../common/catalog-completeness.ts'
import { checkResourceRules, deriveShareType } from './rules.ts'
import type { CreateResourceBody, ItemInput } from './schemas.ts'

/**
 * SPEC §5.1–5.4 field and cross-field rules, checked through POST and PATCH /api/v1/catalog/resources.
 * Every refusal asserts the status, error.code, the field named in details[], and that nothing was written.
 */

const API = '/api/v1/catalog/resources'
const CJK = /[\u4e00-\u9fff]/

type World = Awaited<ReturnType<typeof buildWorld>>

let itemSeq = 0
/** A valid 无条件共享 item; override what the test is about. */
function item(overrides: Partial<ItemInput> & Record<string, unknown> = {}): ItemInput {
  itemSeq++
  return {
    name: `信息项${itemSeq}`,
    nameEn: `item_${itemSeq}`,
    dataType: 'C',
    length: 50,
    shareType: 1,
    sensitive: false,
    piCategory: 'none',
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
    ...overrides,
  } as ItemInput
}

/** A body whose items are given (the rest from the factory's valid 有条件共享 entry). */
const withItems = (items: ItemInput[], overrides: Partial<CreateResourceBody> = {}) => resourceBody({ items, ...overrides })

/** The API body of a resource as returned by GET (for full-body edits). */
function bodyOf(res: any): CreateResourceBody {
  const drop = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T
  return drop({
    name: res.name,
    nameEn: res.nameEn,
    classCode: res.classCode,
    providerSubunit: res.providerSubunit,
    abstract: res.abstract,
    sourceSystem: res.sourceSystem,
    formatClass: res.formatClass,
    formatType: res.formatType,
    formatOther: res.formatOther,
    shareCondition: res.shareCondition,
    shareBasis: res.shareBasis,
    shareModeClass: res.shareModeClass,
    shareModeReason: res.shareModeReason,
    shareModes: res.shareModes,
    openFlag: res.openFlag,
    openCondition: res.openCondition,
    updateCycle: res.updateCycle,
    updateTimeLimit: res.updateTimeLimit,
    relatedCodes: res.relatedCodes,
    secret: res.secret,
    dataGrade: res.dataGrade,
    survey: res.survey,
    dutyRefs: res.dutyRefs,
    spaceScope: res.spaceScope,
    timeRange: res.timeRange?.from || res.timeRange?.to ? drop(res.timeRange) : undefined,
    syncMech: res.syncMech,
    physDelete: res.physDelete,
    contactName: res.contactName,
    contactPhone: res.contactPhone,
    items: res.items.map((i: any) =>
      drop({
        id: i.id,
        name: i.name,
        nameEn: i.nameEn,
        dataType: i.dataType,
        length: i.length,
        precision: i.precision,
        shareType: i.shareType,
        shareCondition: i.shareCondition,
        openFlag: i.openFlag,
        sensitive: i.sensitive,
        piCategory: i.piCategory,
        secret: i.secret,
        isPrimaryKey: i.isPrimaryKey,
        isTimestamp: i.isTimestamp,
        basicItem: i.basicItem,
        dataElementRef: i.dataElementRef,
        authoritativeSourceOrgId: i.authoritativeSourceOrgId,
        description: i.description,
      }),
    ),
  } as any)
}

/** Asserts a 400 VALIDATION_FAILED whose details name `field`, every message in Chinese. */
function assertFieldRejected(res: ApiResponse, field: string) {
  assert.equal(res.status, 400, JSON.stringify(res.body))
  assert.equal(res.body.error.code, 'VALIDATION_FAILED')
  assert.match(res.body.error.message, CJK)
  const details: { field: string; message: string }[] = res.body.error.details ?? []
  const fields = details.map((d) => d.field)
  assert.ok(fields.includes(field), `details should name ${field}, got ${JSON.stringify(details)}`)
  for (const d of details) assert.match(d.message, CJK, `message for ${d.field} should be Chinese: ${d.message}`)
  return details
}

describe('catalog entry rules over HTTP (SPEC §5.1–5.4)', () => {
  let t: TestApp
  let world: World

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    // A 目 with a 细目 below it (so the 目 is not a leaf) and basic/theme 目 for the lead rule.
    await buildClassNode(t.db, '301050', '测试部门A-有细目')
    await buildClassNode(t.db, '301050001', '测试部门A-细目')
  })
  after(() => t.close())

  /** Rows a failed request must not touch. */
  async function counts() {
    const resources = await t.db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const versions = await t.db
      .selectFrom('resourceVersions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const audits = await t.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', 'like', 'catalog.resource.%')
      .where('result', '=', 'success')
      .executeTakeFirstOrThrow()
    return { resources: Number(resources.n), versions: Number(versions.n), audits: Number(audits.n) }
  }

  async function create(body: unknown, token = world.tokens.cataloger) {
    const res = await t.request('POST', API, { token, body })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    return res.body
  }

  /** POSTs a bad entry: 400 naming `field`, and no row written anywhere. */
  async function createRejected(body: unknown, field: string, token = world.tokens.cataloger) {
    const before = await counts()
    const res = await t.request('POST', API, { token, body })
    const details = assertFieldRejected(res, field)
    assert.deepEqual(await counts(), before, 'a refused create writes nothing')
    return details
  }

  /** PATCHes an entry badly: 400 naming `field`, and the entry and its versions unchanged. */
  async function patchRejected(id: string, body: unknown, field: string) {
    const before = await t.request('GET', `${API}/${id}`, { token: world.tokens.cataloger })
    const countsBefore = await counts()
    const res = await t.request('PATCH', `${API}/${id}`, { token: world.tokens.cataloger, body })
    const details = assertFieldRejected(res, field)
    const afterRes = await t.request('GET', `${API}/${id}`, { token: world.tokens.cataloger })
    assert.deepEqual(afterRes.body, before.body, 'a refused edit leaves the entry as it was')
    assert.deepEqual(await counts(), countsBefore, 'a refused edit writes nothing')
    return details
  }

  /**
   * An incomplete entry (SPEC §5.4): saved as a draft, but its submission is refused with 409
   * ENTRY_INCOMPLETE naming `field`, in Chinese, and the entry stays a draft.
   */
  async function incompleteOnSubmit(body: unknown, field: string, token = world.tokens.cataloger) {
    const draft = await create(body, token)
    return submitRefusedIncomplete(draft.id, field, token)
  }

  async function submitRefusedIncomplete(id: string, field: string, token = world.tokens.cataloger) {
    const countsBefore = await counts()
    const res = await t.request('POST', `${API}/${id}/submit`, { token })
    assert.equal(res.status, 409, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'ENTRY_INCOMPLETE')
    assert.match(res.body.error.message, /^目录尚缺：/)
    const details: { field: string; message: string }[] = res.body.error.details ?? []
    assert.ok(
      details.some((d) => d.field === field),
      `details should name ${field}, got ${JSON.stringify(details)}`,
    )
    for (const d of details) assert.match(d.message, CJK, `message for ${d.field} should be Chinese: ${d.message}`)
    assert.deepEqual(await counts(), countsBefore, 'a refused submission writes nothing')
    const after = await t.request('GET', `${API}/${id}`, { token })
    assert.equal(after.body.status, 'draft')
    return details
  }

  /** An edit that leaves the entry incomplete is saved; submitting it is refused naming `field`. */
  async function patchThenIncomplete(id: string, body: unknown, field: string) {
    const res = await t.request('PATCH', `${API}/${id}`, { token: world.tokens.cataloger, body })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return submitRefusedIncomplete(id, field)
  }

  describe('derived share type (§5.4 rule 1)', () => {
    test('an entry whose items are all 无条件共享 is 无条件共享 and needs no condition or basis', async () => {
      const res = await create(withItems([item(), item()], { shareCondition: undefined, shareBasis: undefined }))
      assert.equal(res.shareType, 1)
      assert.equal(res.shareTypeLabel, '无条件共享')
      assert.equal(res.shareCondition, '无条件')
    })

    test('an entry whose items are all 不予共享 is 不予共享', async () => {
      const res = await create(withItems([item({ shareType: 3, shareCondition: '涉及个人隐私' }), item({ shareType: 3, shareCondition: '涉及个人隐私' })]))
      assert.equal(res.shareType, 3)
      assert.equal(res.shareTypeLabel, '不予共享')
    })

    test('an entry mixing share types is 有条件共享 (1+3, 1+2 and 2+3)', async () => {
      for (const [a, b] of [
        [1, 3],
        [1, 2],
        [2, 3],
      ] as const) {
        const res = await create(
          withItems([item({ shareType: a, shareCondition: a === 1 ? undefined : '依申请' }), item({ shareType: b, shareCondition: '依申请' })]),
        )
        assert.equal(res.shareType, 2, `items ${a}+${b}`)
      }
    })

    test('an entry without items is 无条件共享', async () => {
      const res = await create(
        resourceBody({ formatClass: 1, formatType: 'pdf', shareModes: ['file'], items: [], shareCondition: undefined, shareBasis: undefined }),
      )
      assert.equal(res.shareType, 1)
      assert.equal(res.items.length, 0)
    })

    test('an edit that changes the items re-derives the share type', async () => {
      const draft = await create(withItems([item(), item()], { shareCondition: undefined, shareBasis: undefined }))
      assert.equal(draft.shareType, 1)
      const body = bodyOf(draft)
      body.items[1] = { ...body.items[1], shareType: 3, shareCondition: '涉及国家安全' }
      body.shareCondition = '部分信息项不予共享'
      body.shareBasis = '《中华人民共和国数据安全法》第二十一条'
      const res = await t.request('PATCH', `${API}/${draft.id}`, { token: world.tokens.cataloger, body })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.shareType, 2)
    })
  })

  describe('incomplete drafts (保存草稿) and the completeness check on 提交', () => {
    test("a draft lacking its conditions, basis and mount is saved; 提交 lists all three in the form's words, with one code", async () => {
      const draft = await create(resourceBody({ shareCondition: undefined, shareBasis: undefined }))
      assert.equal(draft.status, 'draft')
      const details = await submitRefusedIncomplete(draft.id, 'shareCondition')
      const res = await t.request('POST', `${API}/${draft.id}/submit`, { token: world.tokens.cataloger })
      assert.equal(res.body.error.message, '目录尚缺：共享条件、共享依据（法律法规、政策）、须先挂接数据，补全后才能提交审核')
      assert.deepEqual(
        details.map((d) => d.field),
        ['shareCondition', 'shareBasis', 'shareModes'],
      )
      assert.match(details[2].message, /须先挂接数据/)
    })

    test('an incomplete draft is still checked for type and length (400 VALIDATION_FAILED, nothing written)', async () => {
      await createRejected(resourceBody({ shareCondition: undefined, name: '名'.repeat(101) }), 'name')
      await createRejected(resourceBody({ shareCondition: undefined, formatClass: '数据库' as never }), 'formatClass')
      await createRejected(resourceBody({ shareCondition: undefined, items: [item({ length: -1 })] }), 'items[0].length')
    })

    test('an incomplete draft still refuses contradictions (a 不予共享 entry open to the public)', async () => {
      await createRejected(withItems([item({ shareType: 3, shareCondition: '涉密' })], { openFlag: true, openCondition: '无条件开放' }), 'openFlag')
    })

    test('only the owner department sees an incomplete draft: another department and the authority get 404', async () => {
      const draft = await create(resourceBody({ name: '未完成的草稿目录', shareBasis: undefined }))
      for (const token of [world.tokens.requester, world.tokens.catalogerB, world.tokens.authAdmin]) {
        const res = await t.request('GET', `${API}/${draft.id}`, { token })
        assert.equal(res.status, 404, JSON.stringify(res.body))
        const found = await t.request('GET', `${API}?q=${encodeURIComponent('未完成的草稿')}`, { token })
        assert.equal(found.body.total, 0)
      }
      const other = await t.request('POST', `${API}/${draft.id}/submit`, { token: world.tokens.catalogerB })
      assert.equal(other.status, 404, 'another department cannot submit it either')
    })
  })

  describe('conditions and basis (§5.4 rule 2, R-1)', () => {
    test('a 有条件共享 entry without a share condition is saved as a draft but refused on submission (field shareCondition)', async () => {
      await incompleteOnSubmit(resourceBody({ shareCondition: undefined }), 'shareCondition')
    })

    test('a 有条件共享 entry with a blank share condition is saved as a draft but refused on submission (field shareCondition)', async () => {
      await incompleteOnSubmit(resourceBody({ shareCondition: '   ' }), 'shareCondition')
    })

    test('a 有条件共享 entry without a legal basis is saved as a draft but refused on submission (field shareBasis)', async () => {
      await incompleteOnSubmit(resourceBody({ shareBasis: undefined }), 'shareBasis')
    })

    test('a 不予共享 entry without a share condition is saved as a draft but refused on submission (field shareCondition)', async () => {
      await incompleteOnSubmit(withItems([item({ shareType: 3, shareCondition: '涉密' })], { shareCondition: undefined }), 'shareCondition')
    })

    test('a 不予共享 entry without a legal basis is saved as a draft but refused on submission (field shareBasis)', async () => {
      await incompleteOnSubmit(withItems([item({ shareType: 3, shareCondition: '涉密' })], { shareBasis: undefined }), 'shareBasis')
    })

    test('an item of type 2 without its own share condition is saved as a draft but refused on submission (field items[i].shareCondition)', async () => {
      await incompleteOnSubmit(withItems([item(), item(), item({ shareType: 2, shareCondition: undefined })]), 'items[2].shareCondition')
    })

    test('an item of type 3 without its own share condition is saved as a draft but refused on submission (field items[i].shareCondition)', async () => {
      await incompleteOnSubmit(withItems([item(), item({ shareType: 3 })]), 'items[1].shareCondition')
    })

    test('an edit that makes an item conditional without a condition is saved as a draft, and its submission refused', async () => {
      const draft = await create(withItems([item(), item()], { shareCondition: undefined, shareBasis: undefined }))
      const body = bodyOf(draft)
      body.items[0] = { ...body.items[0], shareType: 2, shareCondition: undefined }
      body.shareCondition = '仅向公安机关提供'
      body.shareBasis = '《居民身份证法》'
      await patchThenIncomplete(draft.id, body, 'items[0].shareCondition')
    })

    test('an edit that blanks the basis of a 有条件共享 entry is saved as a draft, and its submission refused', async () => {
      const draft = await create(resourceBody())
      await patchThenIncomplete(draft.id, { ...bodyOf(draft), shareBasis: '' }, 'shareBasis')
    })
  })

  describe('basic items, openness and secrecy (§5.4 rules 3–5)', () => {
    test('a basic item (基础信息项) that is not 无条件共享 is refused (field items[i].shareType)', async () => {
      await createRejected(withItems([item(), item({ basicItem: true, shareType: 2, shareCondition: '依申请' })]), 'items[1].shareType')
    })

    test('a basic item shared unconditionally is accepted', async () => {
      const res = await create(withItems([item({ basicItem: true }), item({ shareType: 2, shareCondition: '依申请' })]))
      assert.equal(res.items[0].basicItem, true)
    })

    test('a 不予共享 entry open to the public is refused (field openFlag)', async () => {
      await createRejected(withItems([item({ shareType: 3, shareCondition: '涉密' })], { openFlag: true, openCondition: '无条件开放' }), 'openFlag')
    })

    test('a 不予共享 item marked open is refused (field items[i].openFlag)', async () => {
      await createRejected(
        withItems([item(), item({ shareType: 3, shareCondition: '个人隐私', openFlag: true })], { openFlag: true, openCondition: '有条件开放' }),
        'items[1].openFlag',
      )
    })

    test('an open entry without an open condition is saved as a draft but refused on submission (field openCondition)', async () => {
      await incompleteOnSubmit(resourceBody({ openFlag: true, openCondition: undefined }), 'openCondition')
    })

    test('a closed entry with an open condition other than 不予开放 is refused (field openCondition)', async () => {
      await createRejected(resourceBody({ openFlag: false, openCondition: '无条件开放' }), 'openCondition')
    })

    test('an open entry whose open condition is 不予开放 is refused (field openCondition)', async () => {
      // The mirror of the rule above: an entry cannot be open to the public and 不予开放 at once.
      await createRejected(resourceBody({ openFlag: true, openCondition: '不予开放' }), 'openCondition')
    })

    test('an item open while its entry is closed is refused (field items[i].openFlag)', async () => {
      await createRejected(withItems([item({ openFlag: true })], { openFlag: false, shareCondition: undefined, shareBasis: undefined }), 'items[0].openFlag')
    })

    test('an open entry with an open condition is accepted', async () => {
      const res = await create(resourceBody({ openFlag: true, openCondition: '有条件开放' }))
      assert.equal(res.openFlag, true)
      assert.equal(res.openCondition, '有条件开放')
    })

    test('a 涉密 entry is refused on the extranet instance (field secret)', async () => {
      assert.equal(t.config.networkZone, 'extranet')
      await createRejected(resourceBody({ secret: true }), 'secret')
    })

    test('a 涉密 item is refused on the extranet instance (field items[i].secret)', async () => {
      await createRejected(withItems([item(), item({ secret: true })], { shareCondition: undefined, shareBasis: undefined }), 'items[1].secret')
    })
  })

  describe('format, items and share modes (§5.3, §5.4 rule 7)', () => {
    test('an electronic sheet (电子表格) without items is saved as a draft but refused on submission (field items)', async () => {
      await incompleteOnSubmit(resourceBody({ formatClass: 2, formatType: 'xlsx', items: [] }), 'items')
    })

    test('a database (数据库) without items is saved as a draft but refused on submission (field items)', async () => {
      await incompleteOnSubmit(resourceBody({ formatClass: 3, formatType: 'Dm', items: [] }), 'items')
    })

    test('a format type outside its class is refused (field formatType)', async () => {
      await createRejected(resourceBody({ formatClass: 3, formatType: 'xlsx' }), 'formatType')
      await createRejected(resourceBody({ formatClass: 1, formatType: 'PostgreSQL', shareModes: ['file'] }), 'formatType')
    })

    test('format types are matched case-insensitively', async () => {
      const res = await create(resourceBody({ formatClass: 3, formatType: 'postgresql' }))
      assert.equal(res.formatClass, 3)
    })

    test('the format class 其他 without a description is saved as a draft but refused on submission (field formatOther)', async () => {
      await incompleteOnSubmit(resourceBody({ formatClass: 9, formatType: '其他', formatOther: undefined }), 'formatOther')
    })

    test('the format class 其他 with a description is accepted', async () => {
      const res = await create(resourceBody({ formatClass: 9, formatType: '其他', formatOther: '气象表格驱动码 GRIB2' }))
      assert.equal(res.formatOther, '气象表格驱动码 GRIB2')
      assert.equal(res.formatClassLabel, '其他')
    })

    test('the platform share mode without share mode types is saved as a draft but refused on submission (field shareModes)', async () => {
      await incompleteOnSubmit(resourceBody({ shareModeClass: '共享平台方式', shareModes: [] }), 'shareModes')
    })

    test('repeated share mode types are refused (field shareModes)', async () => {
      await createRejected(resourceBody({ shareModes: ['api', 'api'] }), 'shareModes')
    })

    test('a non-platform share mode without a reason is saved as a draft but refused on submission (field shareModeReason)', async () => {
      await incompleteOnSubmit(resourceBody({ shareModeClass: '拷盘', shareModes: [], shareModeReason: undefined }), 'shareModeReason')
    })

    test('a non-platform share mode with a reason is accepted', async () => {
      const res = await create(resourceBody({ shareModeClass: '介质交换(电子文档)', shareModes: [], shareModeReason: '涉及档案原件，确因条件所限' }))
      assert.equal(res.shareModeClass, '介质交换(电子文档)')
    })

    test('the table share mode with an item lacking its column name is saved as a draft but refused on submission (field items[i].nameEn)', async () => {
      await incompleteOnSubmit(
        withItems([item(), item({ nameEn: undefined })], { shareModes: ['table'], shareCondition: undefined, shareBasis: undefined }),
        'items[1].nameEn',
      )
    })

    test('without the table mode an item may lack its column name', async () => {
      const res = await create(withItems([item({ nameEn: undefined })], { shareModes: ['api'], shareCondition: undefined, shareBasis: undefined }))
      assert.equal(res.items[0].nameEn, null)
    })

    test('duplicate item names are refused (field items[i].name)', async () => {
      await createRejected(withItems([item({ name: '姓名' }), item({ name: '姓名' })], { shareCondition: undefined, shareBasis: undefined }), 'items[1].name')
    })

    test('duplicate item column names, whatever their case, are refused (field items[i].nameEn)', async () => {
      await createRejected(
        withItems([item({ nameEn: 'id_no' }), item({ nameEn: 'ID_NO' })], { shareCondition: undefined, shareBasis: undefined }),
        'items[1].nameEn',
      )
    })

    test('a column name that is not SQL-safe is refused (field items[i].nameEn)', async () => {
      await createRejected(withItems([item({ nameEn: 'id no;drop' })], { shareCondition: undefined, shareBasis: undefined }), 'items[0].nameEn')
    })

    test('more than one timestamp item is refused (field items[i].isTimestamp)', async () => {
      await createRejected(
        withItems([item({ dataType: 'T', isTimestamp: true }), item(), item({ dataType: 'D', isTimestamp: true })], {
          shareCondition: undefined,
          shareBasis: undefined,
        }),
        'items[2].isTimestamp',
      )
    })

    test('a character item without a length is saved as a draft but refused on submission (field items[i].length)', async () => {
      await incompleteOnSubmit(withItems([item({ dataType: 'C', length: undefined })], { shareCondition: undefined, shareBasis: undefined }), 'items[0].length')
    })

    test('a sensitive personal item not marked sensitive is refused (field items[i].sensitive)', async () => {
      await createRejected(
        withItems([item({ piCategory: 'sensitive_personal', sensitive: false })], { shareCondition: undefined, shareBasis: undefined }),
        'items[0].sensitive',
      )
    })

    test('an item id that does not belong to the entry is refused on create (field items[i].id)', async () => {
      await createRejected(
        withItems([item({ id: '00000000-0000-4000-8000-000000000001' })], { shareCondition: undefined, shareBasis: undefined }),
        'items[0].id',
      )
    })
  })

  describe('classification (§4.1–4.2)', () => {
    test('a class code that does not exist is refused (field classCode)', async () => {
      await createRejected(resourceBody({ classCode: '301999' }), 'classCode')
    })

    test('a class that still has sub-classes is refused (field classCode)', async () => {
      await createRejected(resourceBody({ classCode: '301050' }), 'classCode')
    })

    test('a 细目 leaf under a 目 is accepted', async () => {
      const res = await create(resourceBody({ classCode: '301050001' }))
      assert.equal(res.classCode, '301050001')
      assert.equal(res.className, '测试部门A-细目')
    })

    test('a 项 or a 类 as class code is refused (field classCode)', async () => {
      await createRejected(resourceBody({ classCode: '301' }), 'classCode')
      await createRejected(resourceBody({ classCode: '3' }), 'classCode')
    })

    test('a basic-library (类 1) class by a department that is not its lead is refused (field classCode)', async () => {
      await createRejected(resourceBody({ classCode: '101003' }), 'classCode')
    })

    test('a theme (类 2) class by a department that is not its lead is refused (field classCode)', async () => {
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptB.id }).where('code', '=', '202001').execute()
      await createRejected(resourceBody({ classCode: '202001' }), 'classCode')
    })

    test('the lead department of a basic library may catalog under it', async () => {
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptA.id }).where('code', '=', '101002').execute()
      const res = await create(resourceBody({ classCode: '101002' }))
      assert.equal(res.classCode, '101002')
      assert.equal(res.levelAttr, '市级')
    })

    test('a lead department named on a 项 may catalog under each of its 目', async () => {
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptA.id }).where('code', '=', '203').execute()
      const res = await create(resourceBody({ classCode: '203001' }))
      assert.equal(res.classCode, '203001')
    })

    test('a department catalogs only under its own 部门 node, not under one that names another department (§4.1)', async () => {
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptB.id }).where('code', '=', '301002').execute()
      try {
        await createRejected(resourceBody({ classCode: '301002' }), 'classCode')
        const own = await create(resourceBody({ name: '民政部门自有目录', classCode: '301002' }), world.tokens.catalogerB)
        assert.equal(own.classCode, '301002')
      } finally {
        await t.db.updateTable('classNodes').set({ leadOrgId: null }).where('code', '=', '301002').execute()
      }
    })

    test('an edit moving a draft to a class that is not a leaf is refused and changes nothing', async () => {
      const draft = await create(resourceBody())
      await patchRejected(draft.id, { ...bodyOf(draft), classCode: '301050' }, 'classCode')
    })
  })

  describe('names, provider and sizes (§5.1)', () => {
    test('a second entry with the same name in the same department is refused (field name)', async () => {
      const first = await create(resourceBody({ name: '社区矫正对象信息' }))
      assert.equal(first.name, '社区矫正对象信息')
      await createRejected(resourceBody({ name: '社区矫正对象信息' }), 'name')
    })

    test('names are compared after trimming', async () => {
      await create(resourceBody({ name: '看守所在押人员信息' }))
      await createRejected(resourceBody({ name: '  看守所在押人员信息 ' }), 'name')
    })

    test('the same name in another department is accepted', async () => {
      await create(resourceBody({ name: '行政处罚决定信息' }))
      const res = await create(resourceBody({ name: '行政处罚决定信息', classCode: '301002' }), world.tokens.catalogerB)
      assert.equal(res.providerOrgId, world.deptB.id)
    })

    test('an edit renaming an entry to another entry of the department is refused and changes nothing', async () => {
      await create(resourceBody({ name: '治安管理处罚信息' }))
      const second = await create(resourceBody({ name: '治安调解信息' }))
      await patchRejected(second.id, { ...bodyOf(second), name: '治安管理处罚信息' }, 'name')
    })

    test('two simultaneous creates with the same name: one is created, the other refused without a server error', async () => {
      for (let round = 0; round < 3; round++) {
        const name = `同名并发测试信息${round}`
        const before = await counts()
        const results = await Promise.all([
          t.request('POST', API, { token: world.tokens.cataloger, body: resourceBody({ name }) }),
          t.request('POST', API, { token: world.tokens.cataloger, body: resourceBody({ name }) }),
        ])
        const statuses = results.map((r) => r.status).sort()
        assert.equal(statuses[0], 201, JSON.stringify(results.map((r) => r.body.error ?? r.body.status)))
        const loser = results.find((r) => r.status !== 201)!
        assert.ok(loser.status === 400 || loser.status === 409, `round ${round}: ${loser.status} ${JSON.stringify(loser.body)}`)
        assert.ok(['VALIDATION_FAILED', 'CONFLICT'].includes(loser.body.error.code), JSON.stringify(loser.body))
        const after = await counts()
        assert.equal(after.resources, before.resources + 1, 'exactly one entry created')
      }
    })

    test('a cataloger always creates for its own department, whatever providerOrgId the body names', async () => {
      const before = await t.db.selectFrom('resources').select('id').where('providerOrgId', '=', world.deptB.id).execute()
      const res = await create({ ...resourceBody(), providerOrgId: world.deptB.id })
      assert.equal(res.providerOrgId, world.deptA.id)
      const after = await t.db.selectFrom('resources').select('id').where('providerOrgId', '=', world.deptB.id).execute()
      assert.equal(after.length, before.length, 'nothing created for the other department')
    })

    test('only a cataloger creates entries: a requester, a department admin and the authority are refused', async () => {
      for (const token of [world.tokens.requester, world.tokens.deptAdmin, world.tokens.authAdmin, world.tokens.approver]) {
        const before = await counts()
        const res = await t.request('POST', API, { token, body: resourceBody() })
        assert.equal(res.status, 403, JSON.stringify(res.body))
        assert.equal(res.body.error.code, 'FORBIDDEN')
        assert.deepEqual(await counts(), before)
      }
    })

    test('creating without a token is 401 whatever the body', async () => {
      const before = await counts()
      const res = await t.request('POST', API, { body: { nonsense: true } })
      assert.equal(res.status, 401)
      assert.equal(res.body.error.code, 'UNAUTHENTICATED')
      assert.deepEqual(await counts(), before)
    })

    test('a name of 101 characters is refused (field name) and one of 100 is accepted', async () => {
      await createRejected(resourceBody({ name: '户'.repeat(101) }), 'name')
      const res = await create(resourceBody({ name: '籍'.repeat(100) }))
      assert.equal(res.name.length, 100)
    })

    test('an abstract of 257 characters is refused (field abstract) and one of 256 is accepted', async () => {
      await createRejected(resourceBody({ abstract: '摘'.repeat(257) }), 'abstract')
      const res = await create(resourceBody({ abstract: '要'.repeat(256) }))
      assert.equal(res.abstract.length, 256)
    })

    test('an empty name or abstract is refused', async () => {
      await createRejected(resourceBody({ name: '   ' }), 'name')
      await createRejected(resourceBody({ abstract: '' }), 'abstract')
    })

    test('a missing required field is refused naming it', async () => {
      const body: Record<string, unknown> = { ...resourceBody() }
      delete body.updateCycle
      await createRejected(body, 'updateCycle')
    })
  })

  describe('enumeration codes (§5.3, API.md conventions)', () => {
    test('an unknown update cycle code (9) is refused with a Chinese message (field updateCycle)', async () => {
      const [detail] = (await createRejected(resourceBody({ updateCycle: 9 }), 'updateCycle')).filter((d) => d.field === 'updateCycle')
      assert.match(detail.message, /更新周期/)
    })

    test('an unknown format class code (8) is refused with a Chinese message (field formatClass)', async () => {
      const [detail] = (await createRejected(resourceBody({ formatClass: 8 }), 'formatClass')).filter((d) => d.field === 'formatClass')
      assert.match(detail.message, /格式分类/)
    })

    test('an unknown item share type (4) is refused with a Chinese message (field items[i].shareType)', async () => {
      const [detail] = (await createRejected(withItems([item({ shareType: 4 as never })]), 'items[0].shareType')).filter(
        (d) => d.field === 'items[0].shareType',
      )
      assert.match(detail.message, /共享类型/)
    })

    test('an unknown data type letter (X) is refused with a Chinese message (field items[i].dataType)', async () => {
      const [detail] = (await createRejected(withItems([item(), item({ dataType: 'X' as never })]), 'items[1].dataType')).filter(
        (d) => d.field === 'items[1].dataType',
      )
      assert.match(detail.message, /数据类型/)
    })

    test('codes sent as strings are refused (field updateCycle)', async () => {
      await createRejected({ ...resourceBody(), updateCycle: '2' }, 'updateCycle')
    })

    test('an unknown personal-information category is refused (field items[i].piCategory)', async () => {
      await createRejected(withItems([item({ piCategory: 'secret' as never })]), 'items[0].piCategory')
    })

    test('an unknown share mode type is refused (field shareModes[i])', async () => {
      await createRejected({ ...resourceBody(), shareModes: ['api', 'ftp'] }, 'shareModes[1]')
    })

    test('an unknown share mode class is refused (field shareModeClass)', async () => {
      await createRejected({ ...resourceBody(), shareModeClass: '微信' }, 'shareModeClass')
    })

    test('malformed JSON is refused as VALIDATION_FAILED', async () => {
      const before = await counts()
      const res = await t.request('POST', API, {
        token: world.tokens.cataloger,
        body: '{"name":',
        headers: { 'content-type': 'application/json' },
      })
      assert.equal(res.status, 400)
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.deepEqual(await counts(), before)
    })
  })

  describe('partial edits (PATCH with some fields)', () => {
    test('a PATCH naming only the abstract changes the abstract and keeps items and share modes', async () => {
      const draft = await create(resourceBody())
      const res = await t.request('PATCH', `${API}/${draft.id}`, { token: world.tokens.cataloger, body: { abstract: '本市社会组织的登记、年检与注销信息' } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.abstract, '本市社会组织的登记、年检与注销信息')
      assert.deepEqual(
        res.body.items.map((i: any) => i.id),
        draft.items.map((i: any) => i.id),
      )
      assert.deepEqual(res.body.shareModes, draft.shareModes)
    })

    test('a PATCH that does not name dataGrade, dutyRefs or relatedCodes leaves them as they were', async () => {
      const draft = await create(
        resourceBody({
          formatClass: 1,
          formatType: 'pdf',
          shareModes: ['file'],
          items: [],
          shareCondition: undefined,
          shareBasis: undefined,
          dataGrade: '重要数据',
          dutyRefs: ['户籍管理'],
          survey: { storageGb: 12 },
        }),
      )
      assert.equal(draft.dataGrade, '重要数据')
      const res = await t.request('PATCH', `${API}/${draft.id}`, {
        token: world.tokens.cataloger,
        body: { abstract: '户籍管理政策文件汇编', shareModes: ['file'] },
      })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.dataGrade, '重要数据', 'dataGrade kept')
      assert.deepEqual(res.body.dutyRefs, ['户籍管理'], 'dutyRefs kept')
      assert.deepEqual(res.body.survey, { storageGb: 12 }, 'survey kept')
    })

    test('an edit cannot adopt the item ids of another entry (field items[i].id)', async () => {
      const donor = await create(resourceBody())
      const draft = await create(resourceBody())
      const body = bodyOf(draft)
      body.items[0] = { ...body.items[0], id: donor.items[0].id }
      await patchRejected(draft.id, body, 'items[0].id')
    })

    test('an empty PATCH is refused as empty, not for fields it did not send', async () => {
      const draft = await create(resourceBody())
      const details = await patchRejected(draft.id, {}, 'body')
      assert.deepEqual(
        details.map((d) => d.field),
        ['body'],
        JSON.stringify(details),
      )
    })
  })
})

describe('catalog entry rules on the intranet instance', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp({ config: { networkZone: 'intranet' } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('the intranet instance accepts 涉密 entries and items', async () => {
    const res = await t.request('POST', API, {
      token: world.tokens.cataloger,
      body: resourceBody({ secret: true, items: [item({ secret: true })], shareCondition: undefined, shareBasis: undefined }),
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.secret, true)
    assert.equal(res.body.items[0].secret, true)
  })
})

describe('rules.ts (pure)', () => {
  const env = { networkZone: 'extranet' } as const
  const fieldsOf = (body: CreateResourceBody, e: { networkZone: 'extranet' | 'intranet' } = env) => checkResourceRules(body, e).map((p) => p.field)

  test('deriveShareType: all 1 → 1, all 3 → 3, mixed → 2, none → 1', () => {
    assert.equal(deriveShareType([]), 1)
    assert.equal(deriveShareType([{ shareType: 1 }, { shareType: 1 }]), 1)
    assert.equal(deriveShareType([{ shareType: 3 }, { shareType: 3 }]), 3)
    assert.equal(deriveShareType([{ shareType: 1 }, { shareType: 3 }]), 2)
    assert.equal(deriveShareType([{ shareType: 2 }]), 2)
    assert.equal(deriveShareType([{ shareType: 2 }, { shareType: 2 }]), 2)
  })

  test('deriveShareType agrees with the SPEC §5.4 definition for any list of items', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(1, 2, 3)), (types) => {
        const expected = types.every((x) => x === 1) ? 1 : types.every((x) => x === 3) ? 3 : 2
        return deriveShareType(types.map((shareType) => ({ shareType }))) === expected
      }),
    )
  })

  test('missingForSubmission names what a draft lacks by the form labels, and the mount rule when mounts are known', () => {
    const labels = (body: Parameters<typeof missingForSubmission>[0], kinds: ReadonlySet<string> | null = null) =>
      missingForSubmission(body, kinds).map((m) => m.label)
    assert.deepEqual(labels(resourceBody()), [])
    assert.deepEqual(labels({}), ['信息资源名称', '资源分类（末级目录）', '资源摘要', '格式分类', '格式类型', '更新周期', '是否向社会开放', '共享方式类型'])
    assert.deepEqual(labels(resourceBody({ shareBasis: ' ' }), new Set()), ['共享依据（法律法规、政策）', '须先挂接数据'])
    // The gateway serves 接口 calls from a mounted table: an api-mode entry with a table mount is mounted.
    assert.deepEqual(labels(resourceBody({ shareModes: ['api'] }), new Set(['table'])), [])
    assert.deepEqual(labels(resourceBody({ shareModes: ['table'] }), new Set(['api'])), ['须先挂接数据'])
    assert.deepEqual(labels(resourceBody({ shareModeClass: '邮件', shareModes: [], shareModeReason: '条件所限' }), new Set()), [])
    assert.deepEqual(labels(withItems([item({ shareType: 2, shareCondition: undefined }), item({ name: ' ', dataType: 'C', length: undefined })])), [
      '第 1 个信息项的共享条件',
      '第 2 个信息项的信息项名称',
      '第 2 个信息项的长度',
    ])
  })

  test('checkResourceRules finds nothing wrong with the factory entry', () => {
    assert.deepEqual(checkResourceRules(resourceBody(), env), [])
  })

  test('checkResourceRules names each broken rule by its field', () => {
    assert.deepEqual(fieldsOf(resourceBody({ shareCondition: undefined, shareBasis: ' ' })), ['shareCondition', 'shareBasis'])
    assert.deepEqual(fieldsOf(resourceBody({ formatClass: 2, formatType: 'xlsx', items: [] })), ['items'])
    assert.deepEqual(fieldsOf(resourceBody({ formatClass: 9, formatType: 'x' })), ['formatOther'])
    assert.deepEqual(fieldsOf(resourceBody({ openFlag: true })), ['openCondition'])
    assert.deepEqual(fieldsOf(resourceBody({ secret: true })), ['secret'])
    assert.deepEqual(fieldsOf(resourceBody({ secret: true }), { networkZone: 'intranet' }), [])
    assert.deepEqual(fieldsOf(resourceBody({ shareModes: [] })), ['shareModes'])
    assert.deepEqual(fieldsOf(resourceBody({ shareModeClass: '邮件', shareModes: [] })), ['shareModeReason'])
    assert.deepEqual(fieldsOf(resourceBody({ shareModeClass: '邮件', shareModeReason: '条件所限' })), ['shareModes'])
    assert.deepEqual(fieldsOf(resourceBody({ timeRange: { from: '2026-05-01', to: '2026-01-01' } })), ['timeRange.to'])
  })

  test('checkResourceRules names items by their index', () => {
    const items = [
      item({ name: '姓名' }),
      item({ name: '姓名', dataType: 'C', length: undefined }),
      item({ basicItem: true, shareType: 2, shareCondition: '依申请' }),
      item({ piCategory: 'sensitive_personal', sensitive: false }),
      item({ dataType: 'T', isTimestamp: true }),
      item({ dataType: 'T', isTimestamp: true }),
      item({ dataType: 'N', isTimestamp: true }),
    ]
    const fields = fieldsOf(withItems(items))
    assert.deepEqual(
      fields.sort(),
      [
        'items[1].length',
        'items[1].name',
        'items[2].shareType',
        'items[3].sensitive',
        'items[5].isTimestamp',
        'items[6].isTimestamp',
        'items[6].isTimestamp',
      ].sort(),
    )
  })
})
