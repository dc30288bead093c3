import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildClassNode, buildWorld, mountSomething, resourceBody } from '../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../testing/test-app.ts'
import type { CreateResourceBody } from './schemas.ts'

/**
 * The catalog entry lifecycle (SPEC §7.2, API.md "Catalog"): draft → pending_review → published |
 * returned; edits of a published entry as a new version; withdrawal; codes (SPEC §4.2); department
 * isolation (SPEC §2.3); version history; audit of every state change.
 */

const API = '/api/v1/catalog/resources'
const START = '2026-03-02T02:00:00.000Z' // Monday 10:00 Beijing time, the TestClock default

type World = Awaited<ReturnType<typeof buildWorld>>

/** The API body of a resource as returned by GET (edits send the whole entry back). */
function bodyOf(res: any): CreateResourceBody {
  const drop = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T
  const {
    id: _id,
    code: _c,
    providerOrgId: _p,
    providerName: _pn,
    providerCode: _pc,
    className: _cn,
    formatClassLabel: _f,
    shareType: _s,
    shareTypeLabel: _sl,
    updateCycleLabel: _u,
    levelAttr: _l,
    status: _st,
    statusLabel: _stl,
    version: _v,
    publishedVersion: _pv,
    latestVersion: _lv,
    publishedAt: _pa,
    submittedAt: _sa,
    reviewDueAt: _rd,
    reviewComment: _rc,
    withdrawnReason: _w,
    changedAt: _ca,
    mounts: _m,
    actions: _a,
    timeRange,
    items,
    ...rest
  } = res
  return drop({
    ...rest,
    timeRange: timeRange?.from || timeRange?.to ? drop(timeRange) : undefined,
    items: items.map(({ dataTypeLabel: _d, shareTypeLabel: _t, ...i }: any) => drop(i)),
  }) as CreateResourceBody
}

function assertError(res: ApiResponse, status: number, code: string, field?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.equal(res.body.error.code, code)
  assert.match(res.body.error.message, /[\u4e00-\u9fff]/)
  if (field) {
    const fields = (res.body.error.details ?? []).map((d: { field: string }) => d.field)
    assert.ok(fields.includes(field), `details should name ${field}, got ${JSON.stringify(res.body.error.details)}`)
  }
}

const iso = (value: unknown) => (value === null || value === undefined ? value : new Date(value as string).toISOString())

describe('catalog entry lifecycle over HTTP', () => {
  let t: TestApp
  let world: World

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    // Classes of their own for the tests that assert exact 顺序码 values.
    await buildClassNode(t.db, '301011', '测试部门A-编码')
    await buildClassNode(t.db, '301012', '测试部门A-下架')
    await buildClassNode(t.db, '301013', '测试部门A-并发')
  })
  after(() => t.close())

  async function create(overrides: Partial<CreateResourceBody> = {}, token = world.tokens.cataloger) {
    const res = await t.request('POST', API, { token, body: resourceBody(overrides) })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    await mountSomething(t, token, res.body) // SPEC §5.4 rule 6: publication needs a mount
    return res.body
  }
  async function act(id: string, action: 'submit' | 'review' | 'withdraw', body?: unknown, token?: string) {
    const defaultToken = action === 'review' ? world.tokens.authAdmin : world.tokens.cataloger
    return t.request('POST', `${API}/${id}/${action}`, { token: token ?? defaultToken, body })
  }
  async function submit(id: string) {
    const res = await act(id, 'submit')
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body
  }
  async function approve(id: string) {
    const res = await act(id, 'review', { decision: 'approve' })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body
  }
  async function publish(overrides: Partial<CreateResourceBody> = {}) {
    const draft = await create(overrides)
    await submit(draft.id)
    return approve(draft.id)
  }
  const get = (id: string, token: string, version?: number) => t.request('GET', `${API}/${id}${version ? `?version=${version}` : ''}`, { token })
  /** Edits the entry as its owner sees it, changing only `changes`. */
  async function edit(id: string, changes: Partial<CreateResourceBody>) {
    const current = await get(id, world.tokens.cataloger)
    assert.equal(current.status, 200, JSON.stringify(current.body))
    const res = await t.request('PATCH', `${API}/${id}`, { token: world.tokens.cataloger, body: { ...bodyOf(current.body), ...changes } })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body
  }
  const versions = (id: string, token: string) => t.request('GET', `${API}/${id}/versions`, { token })

  /** Everything a refused action must leave untouched: the entry's rows and its audit trail. */
  async function stateOf(id: string) {
    const resource = await t.db.selectFrom('resources').select(['code', 'latestVersion', 'publishedVersion']).where('id', '=', id).executeTakeFirst()
    const rows = await t.db
      .selectFrom('resourceVersions')
      .select([
        'version',
        'status',
        'isLatest',
        'isPublished',
        'name',
        'abstract',
        'classCode',
        'changedAt',
        'changedFields',
        'submittedAt',
        'reviewedAt',
        'reviewComment',
        'publishedAt',
        'withdrawnReason',
        'items',
      ])
      .where('resourceId', '=', id)
      .orderBy('version')
      .execute()
    const audits = await t.db.selectFrom('auditEvents').select(['action', 'result']).where('objectId', '=', id).where('result', '=', 'success').execute()
    return {
      resource,
      rows: rows.map((r) => ({
        ...r,
        changedAt: iso(r.changedAt),
        submittedAt: iso(r.submittedAt),
        reviewedAt: iso(r.reviewedAt),
        publishedAt: iso(r.publishedAt),
      })),
      audits,
    }
  }
  async function refusedWithoutChange(id: string, run: () => Promise<ApiResponse>, status: number, code: string, field?: string) {
    const before = await stateOf(id)
    const res = await run()
    assertError(res, status, code, field)
    assert.deepEqual(await stateOf(id), before, 'a refused action changes nothing')
    return res
  }

  describe('publication', () => {
    test('a submitted entry awaits review for 5 working days', async () => {
      const draft = await create()
      assert.equal(draft.status, 'draft')
      assert.equal(draft.version, 1)
      assert.equal(draft.code, null)
      assert.equal(draft.publishedAt, null)
      const pending = await submit(draft.id)
      assert.equal(pending.status, 'pending_review')
      assert.equal(pending.submittedAt, START)
      // Monday 2026-03-02 10:00 → 5 working days: 3-3, 3-4, 3-5, 3-6, 3-9 → due 2026-03-09 23:59:59+08:00.
      assert.equal(pending.reviewDueAt, '2026-03-09T15:59:59.000Z')
      assert.equal(pending.actions.submit, false)
      assert.equal(pending.actions.update, false)
    })

    test('an approved entry is published with a 分类码/顺序码 code, its publication time and version 1', async () => {
      const published = await publish({ classCode: '301011', name: '居民身份证办理信息' })
      assert.equal(published.status, 'published')
      assert.equal(published.code, '301011/0001')
      assert.match(published.code, /^[1-3]\d{2}\d{3}(\d{1,})?\/\d{1,}$/, 'SPEC §4.2 code pattern')
      assert.equal(published.publishedAt, START)
      assert.equal(published.version, 1)
      assert.equal(published.publishedVersion, 1)
      const second = await publish({ classCode: '301011', name: '居住证办理信息' })
      assert.equal(second.code, '301011/0002', 'the next entry of the class takes the next 顺序码')
      const seen = await get(published.id, world.tokens.requester)
      assert.equal(seen.status, 200)
      assert.equal(seen.body.code, '301011/0001')
      assert.equal(seen.body.status, 'published')
    })

    test('the authority may approve; a cataloger or a department admin may not review', async () => {
      const draft = await create()
      await submit(draft.id)
      for (const token of [world.tokens.cataloger, world.tokens.deptAdmin, world.tokens.requester, world.tokens.catalogerB]) {
        await refusedWithoutChange(draft.id, () => act(draft.id, 'review', { decision: 'approve' }, token), 403, 'FORBIDDEN')
      }
      const published = await approve(draft.id)
      assert.equal(published.status, 'published')
    })

    test('a department may not submit another department’s entry', async () => {
      const draft = await create()
      // catalogerB cannot even see the draft: 404, so ids do not leak.
      await refusedWithoutChange(draft.id, () => act(draft.id, 'submit', undefined, world.tokens.catalogerB), 404, 'NOT_FOUND')
    })
  })

  describe('versions', () => {
    test('editing a published entry starts version 2 as a draft while other departments still see version 1', async () => {
      const v1 = await publish({ abstract: '本市登记的社会团体信息（第一版）' })
      const v2 = await edit(v1.id, { abstract: '本市登记的社会团体、民办非企业单位信息（第二版）' })
      assert.equal(v2.status, 'draft')
      assert.equal(v2.version, 2)
      assert.equal(v2.latestVersion, 2)
      assert.equal(v2.publishedVersion, 1)
      assert.equal(v2.code, v1.code, 'the code does not change with a new version')

      const owner = await get(v1.id, world.tokens.cataloger)
      assert.equal(owner.body.version, 2)
      assert.equal(owner.body.status, 'draft')
      assert.equal(owner.body.abstract, '本市登记的社会团体、民办非企业单位信息（第二版）')

      const other = await get(v1.id, world.tokens.requester)
      assert.equal(other.status, 200)
      assert.equal(other.body.version, 1)
      assert.equal(other.body.status, 'published')
      assert.equal(other.body.abstract, '本市登记的社会团体信息（第一版）')
      assert.equal(other.body.latestVersion, undefined, 'other departments are not told about unpublished versions')

      // The authority sees the published version: an unsubmitted draft stays with its department.
      const authority = await get(v1.id, world.tokens.authAdmin)
      assert.equal(authority.body.version, 1)
      assert.equal(authority.body.pendingVersion, null)

      // A second edit of the draft changes version 2 in place.
      const again = await edit(v1.id, { updateCycle: 3 })
      assert.equal(again.version, 2)
      const rows = await t.db.selectFrom('resourceVersions').select(['version', 'status']).where('resourceId', '=', v1.id).orderBy('version').execute()
      assert.deepEqual(rows, [
        { version: 1, status: 'published' },
        { version: 2, status: 'draft' },
      ])
    })

    test('a return needs a comment, and the owner sees the comment on the returned entry', async () => {
      const v1 = await publish()
      await edit(v1.id, { abstract: '社会组织登记、年检信息' })
      await submit(v1.id)
      await refusedWithoutChange(v1.id, () => act(v1.id, 'review', { decision: 'return' }), 400, 'VALIDATION_FAILED', 'comment')
      await refusedWithoutChange(v1.id, () => act(v1.id, 'review', { decision: 'return', comment: '' }), 400, 'VALIDATION_FAILED', 'comment')
      await refusedWithoutChange(v1.id, () => act(v1.id, 'review', { decision: 'reject', comment: '不通过' }), 400, 'VALIDATION_FAILED', 'decision')

      const returned = await act(v1.id, 'review', { decision: 'return', comment: '共享条件请写明具体依据条款' })
      assert.equal(returned.status, 200, JSON.stringify(returned.body))
      assert.equal(returned.body.status, 'returned')
      const owner = await get(v1.id, world.tokens.cataloger)
      assert.equal(owner.body.status, 'returned')
      assert.equal(owner.body.version, 2)
      assert.equal(owner.body.reviewComment, '共享条件请写明具体依据条款')
      assert.equal(owner.body.actions.submit, true)
      const other = await get(v1.id, world.tokens.requester)
      assert.equal(other.body.status, 'published')
      assert.equal(other.body.version, 1)
      assert.equal(other.body.reviewComment, null)
      // The default entry is 有条件共享: another department may apply and read the call guide, but gets no sample rows.
      assert.deepEqual(
        { request: other.body.actions.request, callGuide: other.body.actions.callGuide, sample: other.body.actions.sample },
        { request: true, callGuide: true, sample: false },
      )
      assert.equal(owner.body.actions.request, false, 'nobody applies for its own department’s data')
      assert.equal((await get(v1.id, world.tokens.catalogerB)).body.actions.request, false, 'only a requester applies')
    })

    test('a returned entry can be edited and resubmitted, and its approval makes version 2 current and version 1 history', async () => {
      const v1 = await publish({ abstract: '社会组织登记信息（旧）' })
      await edit(v1.id, { abstract: '社会组织登记信息（修订中）' })
      await submit(v1.id)
      await act(v1.id, 'review', { decision: 'return', comment: '摘要不完整' })

      const edited = await edit(v1.id, { abstract: '社会组织登记、变更、注销信息（修订）' })
      assert.equal(edited.status, 'draft', 'editing a returned entry makes it a draft again')
      assert.equal(edited.version, 2)
      const resubmitted = await submit(v1.id)
      assert.equal(resubmitted.status, 'pending_review')
      const v2 = await approve(v1.id)
      assert.equal(v2.status, 'published')
      assert.equal(v2.version, 2)
      assert.equal(v2.publishedVersion, 2)
      assert.equal(v2.code, v1.code, 'the code is unchanged across versions')

      const other = await get(v1.id, world.tokens.requester)
      assert.equal(other.body.version, 2)
      assert.equal(other.body.abstract, '社会组织登记、变更、注销信息（修订）')
      const history = await versions(v1.id, world.tokens.cataloger)
      assert.deepEqual(
        history.body.items.map((v: any) => [v.version, v.status]),
        [
          [2, 'published'],
          [1, 'superseded'],
        ],
      )
      const old = await get(v1.id, world.tokens.cataloger, 1)
      assert.equal(old.status, 200, JSON.stringify(old.body))
      assert.equal(old.body.version, 1)
      assert.equal(old.body.abstract, '社会组织登记信息（旧）')
      assert.equal(old.body.code, v1.code)
      assert.equal(old.body.publishedVersion, 2)
      const versionRows = await t.db
        .selectFrom('resourceVersions')
        .select(['version', 'isPublished', 'isLatest'])
        .where('resourceId', '=', v1.id)
        .orderBy('version')
        .execute()
      assert.deepEqual(versionRows, [
        { version: 1, isPublished: false, isLatest: false },
        { version: 2, isPublished: true, isLatest: true },
      ])
    })

    test('the class of a published entry cannot change, since its code is immutable', async () => {
      const published = await publish()
      await refusedWithoutChange(
        published.id,
        async () => {
          const current = await get(published.id, world.tokens.cataloger)
          return t.request('PATCH', `${API}/${published.id}`, { token: world.tokens.cataloger, body: { ...bodyOf(current.body), classCode: '301002' } })
        },
        400,
        'VALIDATION_FAILED',
        'classCode',
      )
      // Before publication the class is still free to change.
      const draft = await create()
      const moved = await edit(draft.id, { classCode: '301002' })
      assert.equal(moved.classCode, '301002')
    })

    test('the version history names who changed which fields and when', async () => {
      const v1 = await publish({ abstract: '社会组织基本信息' })
      t.clock.set('2026-03-02T02:07:00Z')
      try {
        await edit(v1.id, { abstract: '社会组织基本信息及年检结论' })
      } finally {
        t.clock.set(START)
      }
      const owner = await versions(v1.id, world.tokens.cataloger)
      assert.equal(owner.status, 200, JSON.stringify(owner.body))
      const [latest, first] = owner.body.items
      assert.equal(latest.version, 2)
      assert.equal(latest.status, 'draft')
      assert.ok(latest.changedFields.includes('abstract'), JSON.stringify(latest.changedFields))
      assert.ok(!latest.changedFields.includes('name'))
      assert.equal(latest.changedBy, world.users.cataloger.id)
      assert.equal(latest.changedAt, '2026-03-02T02:07:00.000Z')
      assert.equal(first.version, 1)
      assert.equal(first.status, 'published')
      assert.ok(first.changedFields.includes('name') && first.changedFields.includes('abstract'), 'the first version lists the fields it set')
      assert.equal(first.reviewedBy, world.users.authAdmin.id)
      assert.equal(first.publishedAt, START)

      const other = await versions(v1.id, world.tokens.requester)
      assert.equal(other.status, 200)
      assert.deepEqual(
        other.body.items.map((v: any) => v.version),
        [1],
        'other departments only see published versions',
      )
    })

    test('an edit of the abstract alone lists only abstract among the changed fields', async () => {
      // The items are sent back exactly as read, so they did not change.
      const v1 = await publish({ abstract: '民办非企业单位信息' })
      const v2 = await edit(v1.id, { abstract: '民办非企业单位登记信息' })
      assert.deepEqual(v2.items, v1.items, 'the items read back are identical')
      const history = await versions(v1.id, world.tokens.cataloger)
      assert.deepEqual(history.body.items[0].changedFields, ['abstract'])
    })

    test('the owner reads an earlier or unpublished version with ?version=, other departments only published ones', async () => {
      const v1 = await publish({ abstract: '社团年检信息' })
      await edit(v1.id, { abstract: '社团年检及评估信息' })
      const ownerV1 = await get(v1.id, world.tokens.cataloger, 1)
      assert.equal(ownerV1.status, 200)
      assert.equal(ownerV1.body.abstract, '社团年检信息')
      const ownerV2 = await get(v1.id, world.tokens.cataloger, 2)
      assert.equal(ownerV2.body.abstract, '社团年检及评估信息')
      const otherV1 = await get(v1.id, world.tokens.requester, 1)
      assert.equal(otherV1.status, 200)
      assertError(await get(v1.id, world.tokens.requester, 2), 404, 'NOT_FOUND')
      assertError(await get(v1.id, world.tokens.cataloger, 9), 404, 'NOT_FOUND')
      assertError(await t.request('GET', `${API}/${v1.id}?version=0`, { token: world.tokens.cataloger }), 400, 'VALIDATION_FAILED', 'version')
    })
  })

  describe('codes', () => {
    test('a code is never reused: after a withdrawal the next entry of the class takes the next 顺序码', async () => {
      const first = await publish({ classCode: '301012', name: '特种行业许可信息' })
      assert.equal(first.code, '301012/0001')
      const withdrawn = await act(first.id, 'withdraw', { reason: '职能划转，停止提供' })
      assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body))
      assert.equal(withdrawn.body.status, 'withdrawn')
      assert.equal(withdrawn.body.code, '301012/0001')
      const next = await publish({ classCode: '301012', name: '特种行业许可信息（新）' })
      assert.equal(next.code, '301012/0002')
    })

    test('a withdrawn entry can be revised and republished under its original code', async () => {
      const first = await publish({ classCode: '301012', name: '旅馆业治安管理信息' })
      await act(first.id, 'withdraw', { reason: '数据口径调整' })
      const revised = await edit(first.id, { abstract: '旅馆业住宿登记与治安检查信息' })
      assert.equal(revised.status, 'draft')
      assert.equal(revised.version, 2)
      await submit(first.id)
      const republished = await approve(first.id)
      assert.equal(republished.status, 'published')
      assert.equal(republished.code, first.code)
      const other = await get(first.id, world.tokens.requester)
      assert.equal(other.status, 200)
      assert.equal(other.body.version, 2)
    })

    test('the name of a withdrawn entry may be used by a new entry', async () => {
      const first = await publish({ name: '典当业治安管理信息' })
      await act(first.id, 'withdraw', { reason: '合并到其他目录' })
      const again = await create({ name: '典当业治安管理信息' })
      assert.equal(again.name, '典当业治安管理信息')
    })
  })

  describe('refused transitions', () => {
    test('submitting a pending entry again is refused with INVALID_STATE', async () => {
      const draft = await create()
      await submit(draft.id)
      await refusedWithoutChange(draft.id, () => act(draft.id, 'submit'), 409, 'INVALID_STATE')
    })

    test('submitting a published entry is refused with INVALID_STATE', async () => {
      const published = await publish()
      await refusedWithoutChange(published.id, () => act(published.id, 'submit'), 409, 'INVALID_STATE')
    })

    test('reviewing a draft is refused: the authority does not see another department’s unsubmitted draft (404)', async () => {
      const draft = await create()
      await refusedWithoutChange(draft.id, () => act(draft.id, 'review', { decision: 'approve' }), 404, 'NOT_FOUND')
    })

    test('reviewing a published entry again is refused with INVALID_STATE', async () => {
      const published = await publish()
      await refusedWithoutChange(published.id, () => act(published.id, 'review', { decision: 'return', comment: '再看看' }), 409, 'INVALID_STATE')
    })

    test('submitting re-checks the rules: a draft whose basic-library class lost its lead department is refused', async () => {
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptA.id }).where('code', '=', '101004').execute()
      const draft = await create({ classCode: '101004' })
      await t.db.updateTable('classNodes').set({ leadOrgId: world.deptB.id }).where('code', '=', '101004').execute()
      await refusedWithoutChange(draft.id, () => act(draft.id, 'submit'), 400, 'VALIDATION_FAILED', 'classCode')
    })

    test('a pending entry cannot be edited', async () => {
      const draft = await create()
      await submit(draft.id)
      await refusedWithoutChange(
        draft.id,
        () => t.request('PATCH', `${API}/${draft.id}`, { token: world.tokens.cataloger, body: { ...resourceBody({ name: draft.name }), abstract: '改一下' } }),
        409,
        'INVALID_STATE',
      )
    })

    test('an entry that was never published cannot be withdrawn', async () => {
      const draft = await create()
      await refusedWithoutChange(draft.id, () => act(draft.id, 'withdraw', { reason: '不再需要' }), 409, 'INVALID_STATE')
      await submit(draft.id)
      await refusedWithoutChange(draft.id, () => act(draft.id, 'withdraw', { reason: '不再需要' }), 409, 'INVALID_STATE')
    })

    test('a withdrawn entry cannot be withdrawn again', async () => {
      const published = await publish()
      await act(published.id, 'withdraw', { reason: '停止提供' })
      await refusedWithoutChange(published.id, () => act(published.id, 'withdraw', { reason: '再次下架' }), 409, 'INVALID_STATE')
    })

    test('a withdrawal needs a reason', async () => {
      const published = await publish()
      await refusedWithoutChange(published.id, () => act(published.id, 'withdraw', {}), 400, 'VALIDATION_FAILED', 'reason')
      await refusedWithoutChange(published.id, () => act(published.id, 'withdraw', { reason: '   ' }), 400, 'VALIDATION_FAILED', 'reason')
      assert.equal((await get(published.id, world.tokens.requester)).body.status, 'published')
    })

    test('another department’s cataloger cannot withdraw: 403 for a published entry it can see, 404 for a draft it cannot', async () => {
      // A published entry is visible to every department, so its existence is no secret: the refusal is 403.
      const published = await publish()
      await refusedWithoutChange(published.id, () => act(published.id, 'withdraw', { reason: '越权下架' }, world.tokens.catalogerB), 403, 'FORBIDDEN')
      const denied = await t.db
        .selectFrom('auditEvents')
        .select(['action', 'actorId'])
        .where('objectId', '=', published.id)
        .where('result', '=', 'denied')
        .execute()
      assert.deepEqual(denied, [{ action: 'catalog.resource.withdraw', actorId: world.users.catalogerB.id }], 'the refusal is audited')
      // A draft is invisible to other departments: it is reported missing, so its id does not leak.
      const draft = await create()
      await refusedWithoutChange(draft.id, () => act(draft.id, 'withdraw', { reason: '越权下架' }, world.tokens.catalogerB), 404, 'NOT_FOUND')
    })

    test('another department’s cataloger cannot edit: 403 for a published entry, 404 for a draft', async () => {
      const published = await publish()
      const body = { ...resourceBody({ name: published.name }), abstract: '越权修改' }
      await refusedWithoutChange(published.id, () => t.request('PATCH', `${API}/${published.id}`, { token: world.tokens.catalogerB, body }), 403, 'FORBIDDEN')
      const draft = await create()
      await refusedWithoutChange(draft.id, () => t.request('PATCH', `${API}/${draft.id}`, { token: world.tokens.catalogerB, body }), 404, 'NOT_FOUND')
    })

    test('a department admin of the provider and the authority may withdraw; a withdrawn entry leaves the shared catalog', async () => {
      const first = await publish()
      const byDeptAdmin = await act(first.id, 'withdraw', { reason: '数据源停用' }, world.tokens.deptAdmin)
      assert.equal(byDeptAdmin.status, 200, JSON.stringify(byDeptAdmin.body))
      assert.equal(byDeptAdmin.body.status, 'withdrawn')
      assert.equal(byDeptAdmin.body.withdrawnReason, '数据源停用')
      assertError(await get(first.id, world.tokens.requester), 404, 'NOT_FOUND')
      const second = await publish()
      const byAuthority = await act(second.id, 'withdraw', { reason: '主管部门责令下架' }, world.tokens.authAdmin)
      assert.equal(byAuthority.status, 200, JSON.stringify(byAuthority.body))
      assert.equal(byAuthority.body.status, 'withdrawn')
      const search = await t.request('GET', `${API}?providerOrgId=${world.deptA.id}&pageSize=200`, { token: world.tokens.requester })
      const ids = search.body.items.map((r: any) => r.id)
      assert.ok(!ids.includes(first.id) && !ids.includes(second.id))
    })

    test('an unknown entry id is 404 and a malformed id is 400', async () => {
      assertError(await get('00000000-0000-4000-8000-000000000000', world.tokens.cataloger), 404, 'NOT_FOUND')
      const res = await get('not-a-uuid', world.tokens.cataloger)
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
    })
  })

  describe('department isolation (SPEC §2.3)', () => {
    test('a draft is private to its department: 404 and absent from search for others and the authority until submitted', async () => {
      const draft = await create({ name: '涉案财物管理台账', abstract: '涉案财物的登记、保管与处置台账' })
      for (const token of [world.tokens.requester, world.tokens.catalogerB, world.tokens.authAdmin]) {
        assertError(await get(draft.id, token), 404, 'NOT_FOUND')
        assertError(await versions(draft.id, token), 404, 'NOT_FOUND')
        const byTerm = await t.request('GET', `${API}?q=${encodeURIComponent('涉案财物')}`, { token })
        assert.equal(byTerm.status, 200)
        assert.equal(byTerm.body.total, 0)
        const byProvider = await t.request('GET', `${API}?providerOrgId=${world.deptA.id}&pageSize=200`, { token })
        assert.ok(!byProvider.body.items.some((r: any) => r.id === draft.id))
        const byStatus = await t.request('GET', `${API}?status=draft&pageSize=200`, { token })
        assert.ok(!byStatus.body.items.some((r: any) => r.id === draft.id))
      }
      for (const token of [world.tokens.cataloger, world.tokens.deptAdmin]) {
        const seen = await get(draft.id, token)
        assert.equal(seen.status, 200, JSON.stringify(seen.body))
        assert.equal(seen.body.status, 'draft')
        const found = await t.request('GET', `${API}?q=${encodeURIComponent('涉案财物')}`, { token })
        assert.deepEqual(
          found.body.items.map((r: any) => r.id),
          [draft.id],
        )
      }
    })

    test('the authority sees a published entry under revision as published, with the submitted version beside it', async () => {
      const v1 = await publish()
      await edit(v1.id, { abstract: '修订中的摘要' })
      const authority = await get(v1.id, world.tokens.authAdmin)
      assert.equal(authority.body.version, 1)
      assert.equal(authority.body.status, 'published')
      assert.equal(authority.body.pendingVersion, null, 'a draft is not pending')
      await submit(v1.id)
      const submitted = await get(v1.id, world.tokens.authAdmin)
      assert.equal(submitted.body.version, 1)
      assert.equal(submitted.body.pendingVersion, 2)
      const queue = await t.request('GET', `${API}?status=pending_review&pageSize=200`, { token: world.tokens.authAdmin })
      assert.ok(
        queue.body.items.some((r: any) => r.id === v1.id && r.version === 2),
        'the review queue lists the submitted version',
      )
      const requester = await get(v1.id, world.tokens.requester)
      assert.equal(requester.body.pendingVersion, null, 'other departments are not told about unpublished versions')
      const history = await versions(v1.id, world.tokens.authAdmin)
      assert.deepEqual(
        history.body.items.map((v: any) => v.version),
        [2, 1],
      )
    })
  })

  describe('concurrency', () => {
    test('two simultaneous approvals of one pending entry: exactly one succeeds, the other gets INVALID_STATE', async () => {
      const draft = await create({ classCode: '301013' })
      await submit(draft.id)
      const results = await Promise.all([act(draft.id, 'review', { decision: 'approve' }), act(draft.id, 'review', { decision: 'approve' })])
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], JSON.stringify(results.map((r) => r.body)))
      assert.equal(results.find((r) => r.status === 409)!.body.error.code, 'INVALID_STATE')
      const ok = results.find((r) => r.status === 200)!
      assert.equal(ok.body.code, '301013/0001')
      const reviews = await t.db
        .selectFrom('auditEvents')
        .select('id')
        .where('objectId', '=', draft.id)
        .where('action', '=', 'catalog.resource.review')
        .where('result', '=', 'success')
        .execute()
      assert.equal(reviews.length, 1, 'one review recorded')
      const seq = await t.db.selectFrom('resourceCodeSequences').select('lastSeq').where('classCode', '=', '301013').executeTakeFirstOrThrow()
      assert.equal(seq.lastSeq, 1, 'the losing approval consumed no 顺序码')
    })

    test('an approval racing a return: exactly one decision wins', async () => {
      const draft = await create()
      await submit(draft.id)
      const results = await Promise.all([
        act(draft.id, 'review', { decision: 'approve' }),
        act(draft.id, 'review', { decision: 'return', comment: '请补充依据' }),
      ])
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
      const owner = await get(draft.id, world.tokens.cataloger)
      const winner = results.find((r) => r.status === 200)!
      assert.equal(owner.body.status, winner.body.status)
    })

    test('two simultaneous submits: exactly one succeeds', async () => {
      const draft = await create()
      const results = await Promise.all([act(draft.id, 'submit'), act(draft.id, 'submit')])
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
    })
  })

  describe('audit', () => {
    test('every state change writes a success audit event naming the actor', async () => {
      const draft = await create()
      await submit(draft.id)
      await act(draft.id, 'review', { decision: 'return', comment: '依据不全' })
      await edit(draft.id, { shareBasis: '《社会团体登记管理条例》第二十七条、第二十八条' })
      await submit(draft.id)
      await approve(draft.id)
      await edit(draft.id, { abstract: '第二版摘要' })
      await act(draft.id, 'withdraw', { reason: '停止提供' })
      const events = await t.db
        .selectFrom('auditEvents')
        .select(['action', 'result', 'actorId', 'objectType'])
        .where('objectId', '=', draft.id)
        .where('action', 'like', 'catalog.resource.%') // mounting writes its own events
        .orderBy('id')
        .execute()
      const c = world.users.cataloger.id
      const a = world.users.authAdmin.id
      assert.deepEqual(
        events.map((e) => [e.action, e.result, e.actorId]),
        [
          ['catalog.resource.create', 'success', c],
          ['catalog.resource.submit', 'success', c],
          ['catalog.resource.review', 'success', a],
          ['catalog.resource.update', 'success', c],
          ['catalog.resource.submit', 'success', c],
          ['catalog.resource.review', 'success', a],
          ['catalog.resource.update', 'success', c],
          ['catalog.resource.withdraw', 'success', c],
        ],
      )
      assert.ok(events.every((e) => e.objectType === 'resource'))
      const verify = await t.request('GET', '/api/v1/audit/verify', { token: world.tokens.auditor })
      assert.equal(verify.status, 200, JSON.stringify(verify.body))
      assert.equal(verify.body.ok, true, 'the audit chain stays intact')
    })
  })
})
