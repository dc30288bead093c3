import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildUser, buildWorld, itemInput, publishResource, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { noticeOfflineNodes } from './notices.ts'

/**
 * The console's side of the exchange, driven through the agent's own HTTP protocol (no department database
 * needed): nodes with their status for the department and the authority, job controls, pause and resume,
 * the runs list, revocation, and the notices of a flagged job and an offline node.
 */
describe('exchange console: nodes, jobs, runs and notices', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let operatorB: string
  let nodeId: string
  let credential: string
  let jobId: string

  const api = (method: string, path: string, token?: string, body?: unknown) => t.request(method, `/api/v1${path}`, { token, body })
  const agent = (method: string, path: string, body?: unknown) =>
    t.request(method, `/api/v1/exchange/agent${path}`, { body, headers: { authorization: `Bearer ${credential}` } })
  const beat = async () => {
    const res = await agent('POST', '/heartbeat', { connections: [{ name: 'staging', kind: 'postgres' }], working: [] })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body.tasks as { runId: string; type: string }[]
  }
  const jobOf = async (token: string) => (await api('GET', '/exchange/jobs', token)).body.items.find((j: { id: string }) => j.id === jobId)
  const auditCount = async (action: string, result?: string) =>
    Number(
      (
        await t.db
          .selectFrom('auditEvents')
          .select(({ fn }) => fn.countAll<string>().as('n'))
          .where('action', '=', action)
          .$if(result !== undefined, (qb) => qb.where('result', '=', result as never))
          .executeTakeFirstOrThrow()
      ).n,
    )
  const noticesOf = async (token: string, kind: string) =>
    ((await api('GET', '/notifications?pageSize=200', token)).body.items as { kind: string; title: string }[]).filter((n) => n.kind === kind)

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    operatorB = await tokenFor(t.db, await buildUser(t.db, { orgId: w.deptB.id, roles: ['NODE_OPERATOR'] }))
  })
  after(async () => {
    await t?.close()
  })

  test('a DEPT_ADMIN registers a node and gets the token once; after enrolment it is 在线 for its department and the authority', async () => {
    const created = await api('POST', '/exchange/nodes', w.tokens.deptAdmin, { name: '市公安局前置机', heartbeatSeconds: 30 })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.match(created.body.enrolmentToken, /^gse_/)
    assert.equal(created.body.status, 'pending')
    nodeId = created.body.id
    const listed = await api('GET', '/exchange/nodes', w.tokens.deptAdmin)
    assert.equal(listed.body.items[0].enrolmentToken, undefined, 'the token is never listed again')

    const enrolled = await t.request('POST', '/api/v1/exchange/agent/enrol', {
      body: { token: created.body.enrolmentToken, connections: [{ name: 'staging', kind: 'postgres' }], version: 'test' },
    })
    assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body))
    credential = enrolled.body.credential

    const own = (await api('GET', '/exchange/nodes', w.tokens.deptAdmin)).body.items.find((n: { id: string }) => n.id === nodeId)
    assert.equal(own.status, 'online')
    assert.deepEqual(own.actions, { manage: true })
    const authority = await api('GET', `/exchange/nodes?orgId=${w.deptA.id}&status=online`, w.tokens.authAdmin)
    assert.equal(authority.status, 200)
    assert.deepEqual(
      authority.body.items.map((n: { id: string }) => n.id),
      [nodeId],
    )
    assert.deepEqual(authority.body.items[0].actions, { manage: false }, 'the authority reads, it does not manage')
    assert.equal((await api('GET', `/exchange/nodes?orgId=${w.deptB.id}`, w.tokens.authAdmin)).body.items.length, 0)
    assert.equal((await api('GET', `/exchange/nodes?status=offline`, w.tokens.authAdmin)).body.items.length, 0)
    assert.equal((await api('GET', '/exchange/nodes', operatorB)).body.items.length, 0, 'another department does not see it')
    assert.equal((await api('GET', '/exchange/nodes', w.tokens.requester)).status, 403)
    assert.equal((await api('GET', '/exchange/nodes?status=sleeping', w.tokens.authAdmin)).status, 400)
  })

  test('a feed whose runs fail three times in a row is flagged and its node’s operators and department admin are told once', async () => {
    const resource = await publishResource(t, w.tokens, {
      name: '常住人口基本信息',
      shareModes: ['api', 'table'],
      items: [itemInput('人员编号', 'person_id', { dataType: 'I', length: 12, isPrimaryKey: true }), itemInput('姓名', 'full_name', { length: 50 })] as never,
    })
    const ids = Object.fromEntries(resource.items.map((i: { id: string; nameEn: string }) => [i.nameEn, i.id])) as Record<string, string>
    const feed = await api('POST', '/exchange/feeds', w.tokens.cataloger, {
      nodeId,
      resourceId: resource.id,
      connection: 'staging',
      table: 'people',
      keyColumn: 'id',
      columns: [
        { itemId: ids.person_id, column: 'id' },
        { itemId: ids.full_name, column: 'xm' },
      ],
    })
    assert.equal(feed.status, 201, JSON.stringify(feed.body))
    jobId = feed.body.id

    const [verify] = await beat()
    assert.equal(verify.type, 'verify')
    assert.equal((await agent('POST', `/runs/${verify.runId}/verify`, { problems: [], sampled: 10 })).status, 200)
    for (let i = 1; i <= 3; i++) {
      t.clock.advanceMinutes(1)
      const [task] = await beat()
      assert.equal(task?.type, 'feed', `run ${i} is handed out after the back-off`)
      const failed = await agent('POST', `/runs/${task.runId}/report`, { ok: false, error: '源表 people 不存在' })
      assert.equal(failed.status, 200, JSON.stringify(failed.body))
      if (i < 3) assert.equal((await jobOf(w.tokens.deptAdmin)).flaggedAt, null)
    }
    const job = await jobOf(w.tokens.deptAdmin)
    assert.ok(job.flaggedAt, 'three failures flag the job')
    assert.equal(job.consecutiveFailures, 3)
    assert.equal(job.resourceName, '常住人口基本信息')
    assert.equal(job.providerOrgName, w.deptA.name)
    assert.deepEqual(job.actions, { manage: true })
    const flagged = await api('GET', `/exchange/jobs?flagged=true&orgId=${w.deptA.id}`, w.tokens.authAdmin)
    assert.deepEqual(
      flagged.body.items.map((j: { id: string }) => j.id),
      [jobId],
    )
    assert.deepEqual(flagged.body.items[0].actions, { manage: false })

    for (const token of [w.tokens.deptAdmin, w.tokens.nodeOperator]) {
      const notices = await noticesOf(token, 'exchange.job.flagged')
      assert.equal(notices.length, 1, 'told once')
      assert.match(notices[0].title, /前置机「市公安局前置机」上「常住人口基本信息」的挂接任务连续三次运行失败.*源表 people 不存在/)
    }
    assert.equal((await noticesOf(w.tokens.cataloger, 'exchange.job.flagged')).length, 0, 'a cataloger does not run nodes')
    assert.equal((await noticesOf(w.tokens.requester, 'exchange.job.flagged')).length, 0, 'another department is not told')

    // A fourth failure keeps the flag and tells nobody again.
    t.clock.advanceMinutes(1)
    const [fourth] = await beat()
    await agent('POST', `/runs/${fourth.runId}/report`, { ok: false, error: '源表 people 不存在' })
    assert.equal((await noticesOf(w.tokens.deptAdmin, 'exchange.job.flagged')).length, 1)

    const runs = await api('GET', `/exchange/runs?jobId=${jobId}&status=failed`, w.tokens.nodeOperator)
    assert.equal(runs.status, 200, JSON.stringify(runs.body))
    assert.equal(runs.body.total, 4)
    assert.equal(runs.body.items[0].error, '源表 people 不存在')
    assert.equal(runs.body.items[0].nodeName, '市公安局前置机')
    assert.equal(runs.body.items[0].orgName, w.deptA.name)
    assert.equal((await api('GET', `/exchange/runs?orgId=${w.deptA.id}`, w.tokens.authAdmin)).body.total, 5, 'the authority sees the verify run too')
    assert.equal((await api('GET', '/exchange/runs', operatorB)).body.total, 0, 'another department sees none')
  })

  test('controls are changed by the node’s own department only; a write mode is for deliveries', async () => {
    const before = await jobOf(w.tokens.nodeOperator)
    const changed = await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.nodeOperator, { channels: 4, speedRecords: 5000, errorLimitShare: 0.05 })
    assert.equal(changed.status, 204, JSON.stringify(changed.body))
    const after = await jobOf(w.tokens.nodeOperator)
    assert.deepEqual([after.channels, after.speedRecords, after.errorLimitShare, after.speedBytes], [4, 5000, 0.05, before.speedBytes])
    assert.equal(await auditCount('exchange.job.update'), 1)

    const writeMode = await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.nodeOperator, { writeMode: 'insert' })
    assert.equal(writeMode.status, 400)
    assert.equal(writeMode.body.error.details[0].field, 'writeMode')
    assert.equal((await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.nodeOperator, {})).status, 400, 'an empty change is refused')
    assert.equal((await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.nodeOperator, { channels: 17 })).status, 400)
    const authority = await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.authAdmin, { channels: 1 })
    assert.equal(authority.status, 403, 'the authority reads only')
    assert.equal((await api('PATCH', `/exchange/jobs/${jobId}`, operatorB, { channels: 1 })).status, 404, 'another department does not see the job')
    assert.equal((await api('PATCH', `/exchange/jobs/${jobId}`, w.tokens.cataloger, { channels: 1 })).status, 403)
    assert.equal((await jobOf(w.tokens.nodeOperator)).channels, 4, 'refused changes change nothing')
    assert.ok((await auditCount('exchange.job.update', 'denied')) >= 2, 'refused writes are audited')
  })

  test('a paused job gets no runs until it is resumed', async () => {
    t.clock.advanceMinutes(1)
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/pause`, w.tokens.authAdmin)).status, 403)
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/pause`, operatorB)).status, 404)
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/pause`, w.tokens.deptAdmin)).status, 204)
    assert.equal((await jobOf(w.tokens.deptAdmin)).status, 'paused')
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/pause`, w.tokens.deptAdmin)).status, 409)
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/run`, w.tokens.deptAdmin, { full: false })).status, 409, 'a paused job does not run on demand')
    assert.deepEqual(await beat(), [])
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/resume`, w.tokens.deptAdmin)).status, 204)
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/resume`, w.tokens.deptAdmin)).status, 409)
    const [task] = await beat()
    assert.equal(task?.type, 'feed')
    await agent('POST', `/runs/${task.runId}/report`, { ok: false, error: '源表 people 不存在' })
  })

  test('a node silent for three heartbeats is 离线 and its staff are told once per silence', async () => {
    t.clock.advanceMinutes(1)
    assert.equal(await noticeOfflineNodes(t.db, t.clock.now()), 0, 'a node that just beat is not offline')
    t.clock.advanceMinutes(2)
    const own = (await api('GET', '/exchange/nodes', w.tokens.deptAdmin)).body.items.find((n: { id: string }) => n.id === nodeId)
    assert.equal(own.status, 'offline')
    assert.equal(await noticeOfflineNodes(t.db, t.clock.now()), 2, 'the DEPT_ADMIN and the NODE_OPERATOR of department A')
    assert.equal(await noticeOfflineNodes(t.db, t.clock.now()), 0, 'a second pass tells nobody again')
    const [notice] = await noticesOf(w.tokens.nodeOperator, 'exchange.node.offline')
    assert.match(notice.title, /前置机「市公安局前置机」已离线（最后心跳 2026-03-02 \d\d:\d\d）/)
    assert.equal((await noticesOf(operatorB, 'exchange.node.offline')).length, 0)

    // Back, then silent again: a new silence is a new notice.
    await beat()
    t.clock.advanceMinutes(3)
    assert.equal(await noticeOfflineNodes(t.db, t.clock.now()), 2)
  })

  test('a node with a live job cannot be revoked; once revoked its credential is refused and it reads 已注销', async () => {
    await beat()
    const refused = await api('POST', `/exchange/nodes/${nodeId}/revoke`, w.tokens.deptAdmin)
    assert.equal(refused.status, 409)
    assert.match(refused.body.error.message, /未停止的交换任务/)
    assert.equal((await api('POST', `/exchange/nodes/${nodeId}/revoke`, w.tokens.authAdmin)).status, 403)
    assert.equal((await api('POST', `/exchange/nodes/${nodeId}/revoke`, operatorB)).status, 404)
    // The feed's running run keeps the job live; stop the job first (a feed stops at once).
    assert.equal((await api('POST', `/exchange/jobs/${jobId}/stop`, w.tokens.deptAdmin, { reason: '更换前置机' })).status, 204)
    assert.equal((await api('POST', `/exchange/nodes/${nodeId}/revoke`, w.tokens.deptAdmin)).status, 204)
    assert.equal(await auditCount('exchange.node.revoke', 'success'), 1)
    const node = (await api('GET', '/exchange/nodes', w.tokens.deptAdmin)).body.items.find((n: { id: string }) => n.id === nodeId)
    assert.equal(node.status, 'revoked')
    assert.ok(node.revokedAt)
    assert.deepEqual(node.actions, { manage: false })
    const agentCall = await agent('POST', '/heartbeat', { connections: [], working: [] })
    assert.equal(agentCall.status, 401, 'the revoked node’s credential no longer works')
    assert.equal((await api('POST', `/exchange/nodes/${nodeId}/revoke`, w.tokens.deptAdmin)).status, 409)
    assert.equal((await api('POST', `/exchange/nodes/${nodeId}/enrolment`, w.tokens.deptAdmin)).status, 409, 'a revoked node gets no new token')
    assert.equal(await noticeOfflineNodes(t.db, new Date(t.clock.now().getTime() + 3_600_000)), 0, 'a revoked node is not reported offline')
  })
})
