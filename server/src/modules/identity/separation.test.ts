import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { roleSetProblem } from '../../../../common/policy/identity.ts'
import { buildUser, buildWorld, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

/**
 * 三员分立 (SPEC §2.2, §8.2 S7): the system administrator opens accounts, the security administrator
 * assigns roles, the auditor reads the log; no account holds two of the three, none of them holds a
 * data role, nobody changes their own roles, and no one of the three takes over another's account.
 */
describe('三员 separation of duties', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const patch = (id: string, token: string, body: object) => t.request('PATCH', `/api/v1/users/${id}`, { token, body })
  const rolesOf = async (id: string) => (await t.db.selectFrom('users').select('roles').where('id', '=', id).executeTakeFirstOrThrow()).roles

  test("the system administrator cannot give itself the auditor's, the security administrator's or a data role", async () => {
    for (const roles of [['SYS_ADMIN', 'AUDITOR'], ['AUDITOR'], ['SEC_ADMIN'], ['SYS_ADMIN', 'REQUESTER'], ['APPROVER']]) {
      const res = await patch(w.users.sysAdmin.id, w.tokens.sysAdmin, { roles })
      assert.equal(res.status, 403, JSON.stringify(roles))
    }
    assert.deepEqual(await rolesOf(w.users.sysAdmin.id), ['SYS_ADMIN'])
    // Nor through a second account: it opens accounts without roles only.
    const proxy = await t.request('POST', '/api/v1/users', {
      token: w.tokens.sysAdmin,
      body: { username: 'proxy.reader', name: '代理账号', orgId: w.deptB.id, roles: ['REQUESTER'], password: 'Pr0xy!pass' },
    })
    assert.equal(proxy.status, 403)
    // Each refusal is an audited denial (repeats of one kind are summed into one event with a count).
    await t.app.auditDenials.flush()
    const denials = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('actorId', '=', w.users.sysAdmin.id)
      .where('result', '=', 'denied')
      .execute()
    const counted = (action: string) =>
      denials.filter((d) => d.action === action).reduce((n, d) => n + ((d.detail as { repeated?: { count: number } }).repeated?.count ?? 1), 0)
    assert.equal(counted('identity.user.update'), 5)
    assert.equal(counted('identity.user.create'), 1)
  })

  test('the security administrator assigns roles, audited with the roles before and after; never its own', async () => {
    const opened = await t.request('POST', '/api/v1/users', {
      token: w.tokens.sysAdmin,
      body: { username: 'new.clerk', name: '新办事员', orgId: w.deptB.id, password: 'N3w!clerk' },
    })
    assert.equal(opened.status, 201)
    assert.deepEqual(opened.body.roles, [])
    const assigned = await patch(opened.body.id, w.tokens.secAdmin, { roles: ['REQUESTER'] })
    assert.equal(assigned.status, 200)
    assert.deepEqual(assigned.body.roles, ['REQUESTER'])
    const event = await t.db
      .selectFrom('auditEvents')
      .select(['detail', 'actorId'])
      .where('action', '=', 'identity.user.update')
      .where('objectId', '=', opened.body.id)
      .where('result', '=', 'success')
      .executeTakeFirstOrThrow()
    assert.equal(event.actorId, w.users.secAdmin.id)
    assert.deepEqual((event.detail as { rolesBefore: string[] }).rolesBefore, [])
    assert.deepEqual((event.detail as { rolesAfter: string[] }).rolesAfter, ['REQUESTER'])

    const own = await patch(w.users.secAdmin.id, w.tokens.secAdmin, { roles: ['SEC_ADMIN', 'AUDITOR'] })
    assert.equal(own.status, 403)
    assert.match(own.body.error.message, /自己的角色/)
    assert.deepEqual(await rolesOf(w.users.secAdmin.id), ['SEC_ADMIN'])
  })

  test('no account holds two of the three, nor one of them with any other role', async () => {
    const clerk = await buildUser(t.db, { orgId: w.deptA.id, roles: ['REQUESTER'] })
    for (const roles of [
      ['SYS_ADMIN', 'AUDITOR'],
      ['SEC_ADMIN', 'AUDITOR'],
      ['AUDITOR', 'REQUESTER'],
      ['SYS_ADMIN', 'CATALOGER'],
      ['SEC_ADMIN', 'APPROVER'],
    ]) {
      const res = await patch(clerk.id, w.tokens.secAdmin, { roles })
      assert.equal(res.status, 400, JSON.stringify(roles))
      assert.equal(res.body.error.details[0].field, 'roles')
      assert.match(res.body.error.details[0].message, /三员分立/)
    }
    assert.deepEqual(await rolesOf(clerk.id), ['REQUESTER'])
    assert.equal(roleSetProblem(['AUDITOR']), null)
    assert.equal(roleSetProblem(['APPROVER', 'REQUESTER']), null)
  })

  test("only the security administrator resets the auditor's password or authenticator", async () => {
    for (const body of [{ password: 'Aud1t!reset' }, { resetTotp: true }]) {
      const bySys = await patch(w.users.auditor.id, w.tokens.sysAdmin, body)
      assert.equal(bySys.status, 403, JSON.stringify(body))
      const byDept = await patch(w.users.auditor.id, w.tokens.deptAdmin, body)
      assert.equal(byDept.status, 404, 'a department admin does not even see the auditor')
    }
    assert.equal((await patch(w.users.auditor.id, w.tokens.sysAdmin, { status: 'disabled' })).status, 403, 'nor disables the auditor')
    assert.equal((await patch(w.users.auditor.id, w.tokens.secAdmin, { password: 'Aud1t!reset' })).status, 200)
    // The security administrator's own account is kept by the system administrator, not by itself.
    assert.equal((await patch(w.users.secAdmin.id, w.tokens.secAdmin, { password: 'S3c!reset' })).status, 403)
    // Ordinary accounts: the system administrator resets them, the security administrator does not.
    const clerk = await buildUser(t.db, { orgId: w.deptA.id, roles: ['REQUESTER'] })
    assert.equal((await patch(clerk.id, w.tokens.secAdmin, { password: 'Cl3rk!reset' })).status, 403)
    assert.equal((await patch(clerk.id, w.tokens.sysAdmin, { password: 'Cl3rk!reset' })).status, 200)
  })

  test('the three administrators read no data: their data routes are refused', async () => {
    for (const admin of [w.users.sysAdmin, w.users.secAdmin, w.users.auditor]) {
      const token = await tokenFor(t.db, admin, t.clock.now())
      assert.equal((await t.request('GET', '/api/v1/share-requests?box=mine', { token })).status, 403)
      assert.equal((await t.request('GET', '/api/v1/grants?box=mine', { token })).status, 403)
    }
  })
})
