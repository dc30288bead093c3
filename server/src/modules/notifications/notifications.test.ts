import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { warnCatalogClocks } from '../catalog/index.ts'
import { bj, recordRequest, recordReviewTask } from '../evaluation/fixtures.ts'
import { notifyRequestClocks } from '../sharing/jobs.ts'
import { notify } from '../../platform/notify/index.ts'
import { buildUser, buildWorld, publishResource, tokenFor } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/** 站内消息 (SPEC §6.11): who sees which message, reading per user, and the clock warnings with the test's clock. */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
})
after(() => t.close())

const inbox = (token: string, unread = false) => t.request('GET', `/api/v1/notifications${unread ? '?unread=true' : ''}`, { token })

test('a message to an organisation is every member’s, read per user; a personal one is only its user’s; others see neither', async () => {
  await notify(t.db, { orgId: world.deptA.id, kind: 'test.org', title: '本单位消息', objectType: 'test', objectId: '1' })
  await notify(t.db, {
    userId: world.users.approver.id,
    orgId: world.deptA.id,
    kind: 'test.user',
    title: '个人消息',
    objectType: 'test',
    objectId: '2',
    dueAt: bj('2026-03-10T23:59:59'),
  })
  const approver = await inbox(world.tokens.approver)
  assert.equal(approver.status, 200)
  assert.deepEqual(approver.body.items.map((n: any) => n.title).sort(), ['个人消息', '本单位消息'])
  assert.equal(approver.body.unread, 2)
  const cataloger = await inbox(world.tokens.cataloger)
  assert.deepEqual(
    cataloger.body.items.map((n: any) => n.title),
    ['本单位消息'],
  )
  assert.deepEqual((await inbox(world.tokens.requester)).body.items, [], 'another department sees nothing')

  const personal = approver.body.items.find((n: any) => n.title === '个人消息')
  const shared = approver.body.items.find((n: any) => n.title === '本单位消息')
  // Someone else's message cannot be marked, not even by a colleague: 404, as if it did not exist.
  assert.equal((await t.request('POST', `/api/v1/notifications/${personal.id}/read`, { token: world.tokens.cataloger })).status, 404)
  assert.equal((await t.request('POST', `/api/v1/notifications/${shared.id}/read`, { token: world.tokens.requester })).status, 404)
  assert.equal((await t.request('POST', `/api/v1/notifications/${shared.id}/read`, { token: world.tokens.approver })).status, 200)
  assert.equal((await inbox(world.tokens.approver, true)).body.unread, 1)
  assert.equal((await inbox(world.tokens.cataloger, true)).body.unread, 1, 'a colleague’s reading does not hide it')
  assert.equal((await t.request('POST', '/api/v1/notifications/read-all', { token: world.tokens.approver })).body.marked, 1)
  assert.equal((await inbox(world.tokens.approver, true)).body.items.length, 0)
  assert.equal((await t.request('POST', '/api/v1/notifications/not-a-uuid/read', { token: world.tokens.approver })).status, 400)
  assert.equal((await t.request('GET', '/api/v1/notifications')).status, 401)
})

test('a request’s reply clock warns the provider at due − 2 WD and on the due day, and once overdue tells the authority too', async () => {
  const entry = await publishResource(t, { cataloger: world.tokens.cataloger, authAdmin: world.tokens.authAdmin })
  // Due Friday 2026-03-13; Wednesday the 11th is 2 working days before.
  const id = await recordRequest(t.db, {
    resourceId: entry.id,
    providerOrgId: world.deptA.id,
    requesterOrgId: world.deptB.id,
    requesterId: world.users.requester.id,
    dueAt: bj('2026-03-13T23:59:59'),
  })
  const kinds = async () =>
    (await t.db.selectFrom('notifications').select(['kind', 'orgId']).where('objectId', '=', id).execute()).map(
      (n) => `${n.kind}@${n.orgId === world.authority.id ? 'authority' : n.orgId === world.deptA.id ? 'provider' : n.orgId}`,
    )
  assert.equal(await notifyRequestClocks(t.db, bj('2026-03-10T09:00:00')), 0, 'three working days before: nothing yet')
  assert.equal(await notifyRequestClocks(t.db, bj('2026-03-11T09:00:00')), 1)
  assert.equal(await notifyRequestClocks(t.db, bj('2026-03-12T09:00:00')), 0, 'the due-soon stage is warned once')
  assert.equal(await notifyRequestClocks(t.db, bj('2026-03-13T09:00:00')), 1)
  assert.equal(await notifyRequestClocks(t.db, bj('2026-03-14T00:00:01')), 2)
  assert.deepEqual((await kinds()).sort(), [
    'sharing.request.due_soon@provider',
    'sharing.request.due_today@provider',
    'sharing.request.overdue@authority',
    'sharing.request.overdue@provider',
  ])
})

test('catalog update tasks and the authority’s catalog reviews are clocks too', async () => {
  const entry = await publishResource(t, { cataloger: world.tokens.cataloger, authAdmin: world.tokens.authAdmin })
  const task = await recordReviewTask(t.db, {
    orgId: world.deptA.id,
    resourceId: entry.id,
    createdBy: world.users.cataloger.id,
    dueAt: bj('2026-03-20T23:59:59'),
  })
  assert.ok((await warnCatalogClocks(t.db, bj('2026-03-18T09:00:00'))) >= 1)
  await warnCatalogClocks(t.db, bj('2026-03-23T09:00:00'))
  const sent = await t.db.selectFrom('notifications').select(['kind', 'orgId']).where('objectId', '=', task).execute()
  assert.deepEqual(sent.map((n) => n.kind).sort(), ['catalog.update-task.due_soon', 'catalog.update-task.overdue', 'catalog.update-task.overdue'])
  assert.ok(
    sent.some((n) => n.kind === 'catalog.update-task.overdue' && n.orgId === world.authority.id),
    '督办 copy to the authority',
  )
  const other = await tokenFor(t.db, await buildUser(t.db, { orgId: world.deptB.id, roles: ['CATALOGER'] }), t.clock.now())
  assert.ok(
    (await inbox(other)).body.items.every((n: any) => n.objectId !== task),
    'another department is not told',
  )
})
