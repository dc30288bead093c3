import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildOrg, buildUser, buildWorld, mountSomething, resourceBody, tokenFor, type UserRow } from '../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../testing/test-app.ts'
import type { CreateResourceBody } from './schemas.ts'

/**
 * R-14 (SPEC §1.5, §7.2 "Trigger clock"): after a 法律法规修订 or 职能调整 the department updates its
 * catalog within 15 working days. Recording the event opens one review task per live entry, due at
 * the end of the 15th working day (SPEC §7.1: the State Council calendar, the 17:30 rule).
 *
 * The 2026 calendar (API.md): off 9-25…9-27 (中秋) and 10-1…10-7 (国庆); make-up working days 9-20 (Sun)
 * and 10-10 (Sat). Every test uses a department of its own, so task counts are exact.
 */

const API = '/api/v1/catalog'

type World = Awaited<ReturnType<typeof buildWorld>>

const beijing = (local: string) => new Date(`${local}+08:00`)

describe('catalog update tasks after a law revision or a change of functions (R-14)', () => {
  let t: TestApp
  let world: World
  let deptSeq = 0

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  /** A token valid at the test clock's current time (sessions expire after 30 idle minutes). */
  const tok = (user: { id: string }) => tokenFor(t.db, user, t.clock.now())

  async function freshDept() {
    const org = await buildOrg(t.db, { name: `测试自然资源和规划局${++deptSeq}` })
    const cataloger = await buildUser(t.db, { orgId: org.id, roles: ['CATALOGER'] })
    const deptAdmin = await buildUser(t.db, { orgId: org.id, roles: ['DEPT_ADMIN'] })
    return { org, cataloger, deptAdmin }
  }

  async function call(method: string, path: string, user: { id: string }, body?: unknown) {
    return t.request(method, `${API}${path}`, { token: await tok(user), body })
  }
  async function ok(res: Promise<ApiResponse> | ApiResponse, status = 200) {
    const r = await res
    assert.equal(r.status, status, JSON.stringify(r.body))
    return r.body
  }

  /** An entry of `cataloger`'s department in the given state. */
  async function entry(cataloger: UserRow, state: 'draft' | 'published' | 'withdrawn', overrides: Partial<CreateResourceBody> = {}) {
    const created = await ok(call('POST', '/resources', cataloger, resourceBody(overrides)), 201)
    await mountSomething(t, await tokenFor(t.db, cataloger, t.clock.now()), created)
    if (state === 'draft') return created
    await ok(call('POST', `/resources/${created.id}/submit`, cataloger))
    const published = await ok(call('POST', `/resources/${created.id}/review`, world.users.authAdmin, { decision: 'approve' }))
    if (state === 'published') return published
    return ok(call('POST', `/resources/${created.id}/withdraw`, cataloger, { reason: '停止提供' }))
  }

  const recordEvent = (user: { id: string }, body: Record<string, unknown>) =>
    call('POST', '/change-events', user, { kind: 'law_revision', description: '《不动产登记暂行条例》修订', ...body })

  async function tasks(user: { id: string }, query: Record<string, string> = {}) {
    const res = await call('GET', `/review-tasks?${new URLSearchParams({ pageSize: '200', ...query })}`, user)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body as { items: any[]; total: number }
  }

  async function taskRows(orgId: string) {
    return t.db.selectFrom('catalogReviewTasks').selectAll().where('orgId', '=', orgId).orderBy('resourceId').execute()
  }
  async function eventCounts() {
    const events = await t.db
      .selectFrom('catalogChangeEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const all = await t.db
      .selectFrom('catalogReviewTasks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return { events: Number(events.n), tasks: Number(all.n) }
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

  describe('opening tasks', () => {
    test('a law revision opens one task per live entry of the department, due 15 working days later on the real calendar', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      const draft = await entry(dept.cataloger, 'draft', { name: '不动产登记簿信息（草稿）' })
      const published = await entry(dept.cataloger, 'published', { name: '不动产登记簿信息' })
      const withdrawn = await entry(dept.cataloger, 'withdrawn', { name: '土地使用权出让信息' })
      const otherDept = await entry(world.users.catalogerB, 'published', { classCode: '301002' })

      const event = await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)
      // From Thursday 9-24: 9-28, 9-29, 9-30 (1–3), 中秋/国庆 off, 10-8, 10-9, 10-10 make-up Sat (4–6),
      // 10-12…10-16 (7–11), 10-19…10-22 (12–15) → due 2026-10-22 23:59:59+08:00.
      assert.equal(event.tasks, 2)
      assert.equal(event.orgId, dept.org.id)
      assert.equal(event.kind, 'law_revision')
      assert.equal(event.dueDate, '2026-10-22')
      assert.equal(event.dueAt, '2026-10-22T15:59:59.000Z')

      const listed = await tasks(dept.cataloger)
      assert.equal(listed.total, 2)
      assert.deepEqual(listed.items.map((x) => x.resourceId).sort(), [draft.id, published.id].sort())
      for (const task of listed.items) {
        assert.equal(task.dueDate, '2026-10-22')
        assert.equal(task.dueAt, '2026-10-22T15:59:59.000Z')
        assert.equal(task.status, 'open')
        assert.equal(task.overdue, false)
        assert.equal(task.eventKind, 'law_revision')
        assert.equal(task.eventId, event.id)
        assert.equal(task.orgId, dept.org.id)
        assert.equal(task.orgName, dept.org.name)
      }
      assert.deepEqual(listed.items.map((x) => x.resourceName).sort(), ['不动产登记簿信息', '不动产登记簿信息（草稿）'].sort())

      const rows = await t.db.selectFrom('catalogReviewTasks').select('resourceId').where('resourceId', 'in', [withdrawn.id, otherDept.id]).execute()
      assert.deepEqual(rows, [], 'no task for a withdrawn entry or for another department')
      const audit = await t.db.selectFrom('auditEvents').select(['action', 'result', 'actorId']).where('objectId', '=', event.id).execute()
      assert.deepEqual(audit, [{ action: 'catalog.change-event.create', result: 'success', actorId: dept.cataloger.id }])
      const calendar = await ok(t.request('GET', '/api/v1/calendar/add-workdays?from=2026-09-24&days=15', { token: await tok(world.users.requester) }))
      assert.equal(calendar.due, '2026-10-22', 'the same answer as the calendar API')
    })

    test('the count skips 中秋 and 国庆 and counts the 9-20 and 10-10 make-up working days', async () => {
      t.clock.set(beijing('2026-09-18T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'published')
      const event = await ok(recordEvent(dept.cataloger, { kind: 'function_change', occurredOn: '2026-09-18', description: '机构改革，职能划入' }), 201)
      // From Friday 9-18: 9-20 make-up Sun (1), 9-21…9-24 (2–5), 9-28…9-30 (6–8), 10-8, 10-9 (9–10),
      // 10-10 make-up Sat (11), 10-12…10-15 (12–15) → due 2026-10-15.
      assert.equal(event.kind, 'function_change')
      assert.equal(event.dueDate, '2026-10-15')
      assert.equal(event.dueAt, '2026-10-15T15:59:59.000Z')
      const year = await ok(t.request('GET', '/api/v1/calendar?year=2026', { token: await tok(world.users.requester) }))
      const day = (date: string) => year.days.find((d: any) => d.date === date)?.isWorkday
      assert.deepEqual(
        ['2026-09-20', '2026-09-25', '2026-10-01', '2026-10-07', '2026-10-10', '2026-10-11'].map(day),
        [true, false, false, false, true, false],
        'the calendar the count relies on',
      )
    })

    test('an event on a rest day counts from the next working day', async () => {
      t.clock.set(beijing('2026-10-09T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'draft')
      // Saturday 10-3 (国庆) → counted from Thursday 10-8: 10-9 (1), 10-10 make-up (2), 10-12…10-16 (3–7),
      // 10-19…10-23 (8–12), 10-26…10-28 (13–15) → due 2026-10-28.
      const event = await ok(recordEvent(dept.cataloger, { occurredOn: '2026-10-03' }), 201)
      assert.equal(event.dueDate, '2026-10-28')
    })

    test('an event recorded after 17:30 counts from the next working day', async () => {
      t.clock.set(beijing('2026-09-24T17:29:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'draft')
      const before = await ok(recordEvent(dept.cataloger, {}), 201)
      assert.equal(before.dueDate, '2026-10-22', 'at 17:29 Thursday counts')
      t.clock.set(beijing('2026-09-24T17:31:00'))
      const late = await ok(recordEvent(dept.cataloger, {}), 201)
      // Counted from Monday 9-28: 9-29, 9-30 (1–2), 10-8, 10-9, 10-10 (3–5), 10-12…10-16 (6–10), 10-19…10-23 (11–15).
      assert.equal(late.dueDate, '2026-10-23', 'at 17:31 the count starts after the next working day')
    })

    test('an entry created after the event gets no task from it', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'draft')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)
      const later = await entry(dept.cataloger, 'draft')
      const rows = await taskRows(dept.org.id)
      assert.equal(rows.length, 1)
      assert.ok(rows.every((r) => r.resourceId !== later.id))
    })
  })

  describe('overdue', () => {
    test('the authority lists a task as overdue only once the clock passes the end of its due day', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'published')
      await entry(dept.cataloger, 'draft')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)

      t.clock.set(beijing('2026-10-22T23:59:00'))
      assert.equal((await tasks(world.users.authAdmin, { overdue: 'true', orgId: dept.org.id })).total, 0, 'not overdue during the due day')
      const open = await tasks(world.users.authAdmin, { orgId: dept.org.id })
      assert.equal(open.total, 2)
      assert.ok(open.items.every((x) => x.overdue === false))

      t.clock.set(beijing('2026-10-23T00:00:01'))
      const overdue = await tasks(world.users.authAdmin, { overdue: 'true', orgId: dept.org.id })
      assert.equal(overdue.total, 2)
      assert.ok(overdue.items.every((x) => x.overdue === true && x.status === 'open'))
      const everyone = await tasks(world.users.authAdmin, { overdue: 'true' })
      assert.equal(everyone.items.filter((x) => x.orgId === dept.org.id).length, 2, 'the authority sees every department')
      assert.equal((await tasks(dept.cataloger, { overdue: 'true' })).total, 2, 'the department sees its own overdue tasks')

      // A task settled late is no longer overdue.
      await ok(call('POST', `/review-tasks/${overdue.items[0].id}/complete`, dept.cataloger, { resolution: '已核查，目录无需调整' }))
      assert.equal((await tasks(world.users.authAdmin, { overdue: 'true', orgId: dept.org.id })).total, 1)
    })
  })

  describe('isolation and permissions', () => {
    test('another department sees none of the department’s tasks and cannot complete them', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'published')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)
      const [task] = await taskRows(dept.org.id)

      const seenByB = await tasks(world.users.catalogerB)
      assert.ok(
        seenByB.items.every((x) => x.orgId === world.deptB.id),
        'only its own department',
      )
      const askedForA = await tasks(world.users.catalogerB, { orgId: dept.org.id })
      assert.ok(
        askedForA.items.every((x) => x.orgId === world.deptB.id),
        'an orgId filter does not open another department',
      )

      const res = await call('POST', `/review-tasks/${task.id}/complete`, world.users.catalogerB, { resolution: '越权处理' })
      assertError(res, 404, 'NOT_FOUND')
      assert.deepEqual(await taskRows(dept.org.id), [task], 'the task is untouched')

      assertError(await call('GET', '/review-tasks', world.users.requester), 403, 'FORBIDDEN')
    })

    test('a cataloger cannot record an event for another department; the authority can', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'published')
      await entry(dept.cataloger, 'draft')

      const before = await eventCounts()
      assertError(await recordEvent(world.users.cataloger, { orgId: dept.org.id, occurredOn: '2026-09-24' }), 403, 'FORBIDDEN')
      assertError(await recordEvent(world.users.requester, { occurredOn: '2026-09-24' }), 403, 'FORBIDDEN')
      assert.deepEqual(await eventCounts(), before, 'a refused event writes nothing')

      const byAuthority = await ok(recordEvent(world.users.authAdmin, { orgId: dept.org.id, occurredOn: '2026-09-24', kind: 'function_change' }), 201)
      assert.equal(byAuthority.orgId, dept.org.id)
      assert.equal(byAuthority.tasks, 2)
      assert.equal(byAuthority.dueDate, '2026-10-22')
      assert.equal((await taskRows(dept.org.id)).length, 2)
    })

    test('a department admin records an event for its own department', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'draft')
      const event = await ok(recordEvent(dept.deptAdmin, { occurredOn: '2026-09-24' }), 201)
      assert.equal(event.tasks, 1)
    })

    test('an event with a bad kind, date, description or organisation is refused and writes nothing', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const region = await buildOrg(t.db, { kind: 'region', regionCode: '370702', name: '测试潍城区' })
      const before = await eventCounts()
      assertError(await recordEvent(world.users.cataloger, { kind: 'reorganisation' }), 400, 'VALIDATION_FAILED', 'kind')
      assertError(await recordEvent(world.users.cataloger, { occurredOn: '2026-02-30' }), 400, 'VALIDATION_FAILED', 'occurredOn')
      assertError(await recordEvent(world.users.cataloger, { description: '  ' }), 400, 'VALIDATION_FAILED', 'description')
      assertError(await recordEvent(world.users.authAdmin, { orgId: '00000000-0000-4000-8000-000000000000' }), 400, 'VALIDATION_FAILED', 'orgId')
      assertError(await recordEvent(world.users.authAdmin, { orgId: region.id }), 400, 'VALIDATION_FAILED', 'orgId')
      assert.deepEqual(await eventCounts(), before)
    })
  })

  describe('closing tasks', () => {
    test('publishing a new version of an entry closes its task; a return does not', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      const draft = await entry(dept.cataloger, 'draft')
      const published = await entry(dept.cataloger, 'published')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)

      t.clock.set(beijing('2026-10-12T15:00:00'))
      // The published entry is revised (version 2), returned once, then approved.
      const current = await ok(call('GET', `/resources/${published.id}`, dept.cataloger))
      const { items, ...rest } = resourceBody({ name: current.name, abstract: '依据修订后的条例更新的不动产登记信息' })
      const itemsBack = current.items.map(({ dataTypeLabel: _a, shareTypeLabel: _b, ...i }: any) =>
        Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null)),
      )
      assert.equal(items.length, itemsBack.length)
      await ok(call('PATCH', `/resources/${published.id}`, dept.cataloger, { ...rest, items: itemsBack }))
      await ok(call('POST', `/resources/${published.id}/submit`, dept.cataloger))
      await ok(call('POST', `/resources/${published.id}/review`, world.users.authAdmin, { decision: 'return', comment: '请写明条例条款' }))
      assert.ok(
        (await taskRows(dept.org.id)).every((r) => r.status === 'open'),
        'a return settles nothing',
      )
      await ok(call('POST', `/resources/${published.id}/submit`, dept.cataloger))
      await ok(call('POST', `/resources/${published.id}/review`, world.users.authAdmin, { decision: 'approve' }))
      // The draft is published for the first time.
      await ok(call('POST', `/resources/${draft.id}/submit`, dept.cataloger))
      await ok(call('POST', `/resources/${draft.id}/review`, world.users.authAdmin, { decision: 'approve' }))

      const done = await tasks(dept.cataloger, { status: 'done' })
      assert.equal(done.total, 2)
      const byResource = new Map(done.items.map((x) => [x.resourceId, x]))
      assert.equal(byResource.get(published.id).resolution, '已发布第 2 版')
      assert.equal(byResource.get(draft.id).resolution, '已发布第 1 版')
      for (const task of done.items) {
        assert.equal(task.status, 'done')
        assert.equal(task.overdue, false)
        assert.equal(task.doneAt, beijing('2026-10-12T15:00:00').toISOString())
      }
      assert.equal((await tasks(dept.cataloger, { status: 'open' })).total, 0)
    })

    test('a department closes a task with a resolution, and a second completion is refused', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'published')
      await entry(dept.cataloger, 'published')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)
      const [first, second] = await taskRows(dept.org.id)

      t.clock.set(beijing('2026-09-29T11:00:00'))
      assertError(await call('POST', `/review-tasks/${first.id}/complete`, dept.cataloger, {}), 400, 'VALIDATION_FAILED', 'resolution')
      assertError(await call('POST', `/review-tasks/${first.id}/complete`, world.users.authAdmin, { resolution: '代为处理' }), 403, 'FORBIDDEN')
      assert.deepEqual(await taskRows(dept.org.id), [first, second], 'refusals change nothing')

      const doneRes = await ok(call('POST', `/review-tasks/${first.id}/complete`, dept.cataloger, { resolution: '经核查，条例修订不涉及本目录' }))
      assert.deepEqual(doneRes, { id: first.id, status: 'done', resolution: '经核查，条例修订不涉及本目录' })
      const afterDone = await taskRows(dept.org.id)
      const closed = afterDone.find((r) => r.id === first.id)!
      assert.equal(closed.status, 'done')
      assert.equal(closed.doneBy, dept.cataloger.id)
      assert.equal(new Date(closed.doneAt as unknown as string).toISOString(), beijing('2026-09-29T11:00:00').toISOString())

      t.clock.set(beijing('2026-09-29T11:05:00'))
      assertError(await call('POST', `/review-tasks/${first.id}/complete`, dept.cataloger, { resolution: '再次确认' }), 409, 'INVALID_STATE')
      assert.deepEqual(await taskRows(dept.org.id), afterDone, 'the second completion changes nothing')

      const byAdmin = await ok(call('POST', `/review-tasks/${second.id}/complete`, dept.deptAdmin, { resolution: '已按新职能调整共享条件' }))
      assert.equal(byAdmin.status, 'done')
      const audit = await t.db
        .selectFrom('auditEvents')
        .select(['action', 'result', 'actorId'])
        .where('objectId', 'in', [first.id, second.id])
        .where('result', '=', 'success')
        .orderBy('id')
        .execute()
      assert.deepEqual(audit, [
        { action: 'catalog.review-task.complete', result: 'success', actorId: dept.cataloger.id },
        { action: 'catalog.review-task.complete', result: 'success', actorId: dept.deptAdmin.id },
      ])
      assertError(await call('POST', '/review-tasks/00000000-0000-4000-8000-000000000000/complete', dept.cataloger, { resolution: '无' }), 404, 'NOT_FOUND')
    })

    test('two simultaneous completions of one task: exactly one succeeds', async () => {
      t.clock.set(beijing('2026-09-24T10:00:00'))
      const dept = await freshDept()
      await entry(dept.cataloger, 'draft')
      await ok(recordEvent(dept.cataloger, { occurredOn: '2026-09-24' }), 201)
      const [task] = await taskRows(dept.org.id)
      const [a, b] = [await tok(dept.cataloger), await tok(dept.deptAdmin)]
      const results = await Promise.all([
        t.request('POST', `${API}/review-tasks/${task.id}/complete`, { token: a, body: { resolution: '编目员确认' } }),
        t.request('POST', `${API}/review-tasks/${task.id}/complete`, { token: b, body: { resolution: '部门管理员确认' } }),
      ])
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], JSON.stringify(results.map((r) => r.body)))
      const winner = results.find((r) => r.status === 200)!
      const [row] = await taskRows(dept.org.id)
      assert.equal(row.resolution, winner.body.resolution, 'the stored resolution is the winner’s')
    })
  })
})
