import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { maskValue } from '../../platform/masking/masking.ts'
import { buildUser, buildWorld, itemInput, publishResource, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { NodeAgent } from '../../node-agent/agent.ts'
import { type AgentConfig, loadAgentConfig } from '../../node-agent/config.ts'

/**
 * The exchange end to end against the machine's real databases: a department's PostgreSQL feeds a table mount
 * through its node, the platform delivers a 库表 grant, masked and filtered, into another department's MariaDB
 * (and the reverse); changes, deletes, a killed agent, a revocation and a replayed enrolment token.
 * MariaDB must be running (.ci/run starts it): without it these tests fail, they do not skip.
 */

const PG_ADMIN = process.env.EXCHANGE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' }
const suffix = randomBytes(4).toString('hex')
const PG_DB = `gsx_src_${suffix}`
const MY_DB = `gsx_dst_${suffix}`
const pgUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${PG_DB}`)

const ITEMS = [
  itemInput('人员编号', 'person_id', { dataType: 'I', length: 12, isPrimaryKey: true, shareType: 2, shareCondition: '核验' }),
  itemInput('公民身份号码', 'id_no', { length: 18, sensitive: true, piCategory: 'sensitive_personal', shareType: 2, shareCondition: '核验' }),
  itemInput('姓名', 'full_name', { length: 50, sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '核验' }),
  itemInput('所属区县', 'county', { length: 20, shareType: 2, shareCondition: '核验' }),
  itemInput('更新时间', 'updated_at', { dataType: 'T', length: 19, isTimestamp: true, shareType: 2, shareCondition: '核验' }),
]
const COUNTIES = ['潍城区', '奎文区', '寿光市', '高密市']
const GRANTED_COUNTIES = ['潍城区', '奎文区']

interface Person {
  person_id: number
  id_no: string
  full_name: string
  county: string
  updated_at: string
}

const person = (n: number, stamp = '2026-03-01 08:00:00'): Person => ({
  person_id: n,
  id_no: `3707021990${String(n).padStart(8, '0')}`,
  full_name: ['张三', '欧阳娜娜', '李四', '王小明'][n % 4] + n,
  county: COUNTIES[n % 4],
  updated_at: stamp,
})

/** What the consumer must hold: the granted counties only, 身份证号 and 姓名 masked by the grant's rules. */
const expected = (rows: Person[]) =>
  rows
    .filter((r) => GRANTED_COUNTIES.includes(r.county))
    .map((r) => [String(r.person_id), String(maskValue('id_card', r.id_no)), String(maskValue('name', r.full_name)), r.county].join('|'))
    .sort()

describe('exchange: nodes, feeds, deliveries and purges against PostgreSQL and MariaDB', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let admin: pg.Client
  let source: pg.Client
  let maria: mysql.Connection
  let stateRoot: string
  let operatorB: string
  const agents: NodeAgent[] = []
  const children: ChildProcess[] = []

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    operatorB = await tokenFor(t.db, await buildUser(t.db, { orgId: w.deptB.id, roles: ['NODE_OPERATOR'] }))
    admin = new pg.Client(PG_ADMIN)
    await admin.connect()
    await admin.query(`create database ${PG_DB}`)
    source = new pg.Client(pgUrl)
    await source.connect()
    // Fails (never skips) when MariaDB is not running.
    const root = await mysql.createConnection(MARIADB)
    await root.query(`create database ${MY_DB} character set utf8mb4`)
    await root.end()
    maria = await mysql.createConnection({ ...MARIADB, database: MY_DB, dateStrings: true })
    stateRoot = await mkdtemp(join(tmpdir(), 'govshare-node-test-'))
  })

  after(async () => {
    for (const child of children) child.kill('SIGKILL')
    for (const agent of agents) await agent.stop().catch(() => {})
    await source?.end()
    await admin?.query(`drop database if exists ${PG_DB} with (force)`)
    await admin?.end()
    await maria?.query(`drop database if exists ${MY_DB}`)
    await maria?.end()
    await rm(stateRoot, { recursive: true, force: true })
    await t?.close()
  })

  /** A node of the token holder's organisation, and an agent config for it (enrolment token included). */
  async function node(token: string, name: string, connections: AgentConfig['connections']) {
    const created = await t.request('POST', '/api/v1/exchange/nodes', { token, body: { name, heartbeatSeconds: 30 } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const dir = join(stateRoot, name)
    const file = join(stateRoot, `${name}.json`)
    await writeFile(
      file,
      JSON.stringify({ platform: `${t.baseUrl}/api/v1`, stateDir: dir, enrolmentToken: created.body.enrolmentToken, pollSeconds: 0.2, connections }),
    )
    return { id: created.body.id as string, token: created.body.enrolmentToken as string, file }
  }

  async function agentFor(file: string) {
    const agent = new NodeAgent(loadAgentConfig(file), () => {})
    agents.push(agent)
    await agent.enrol()
    return agent
  }

  /** Heartbeats until the node has nothing more to do. */
  async function pump(agent: NodeAgent, rounds = 6) {
    for (let i = 0; i < rounds; i++) {
      const taken = await agent.beat()
      await agent.idle()
      if (taken === 0) return
    }
  }

  async function runsOf(jobId: string, token: string) {
    const res = await t.request('GET', `/api/v1/exchange/jobs/${jobId}/runs`, { token })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return res.body.items as { kind: string; status: string; rowsWritten: number; rowsDeleted: number; error: string | null }[]
  }

  async function mariaRows(table: string) {
    const [rows] = await maria.query(`select person_id, id_no, full_name, county from \`${table}\``)
    return (rows as Record<string, unknown>[]).map((r) => [String(r.person_id), r.id_no, r.full_name, r.county].join('|')).sort()
  }

  async function pgRows(client: pg.Client, table: string) {
    const result = await client.query(`select person_id::text, id_no, full_name, county from ${table}`)
    return result.rows.map((r) => [r.person_id, r.id_no, r.full_name, r.county].join('|')).sort()
  }

  /** A published entry, its 库表 grant to department B (masked, filtered) and the entry's items by English name. */
  async function entryWithGrant() {
    const resource = await publishResource(t, w.tokens, {
      name: `人员信息${randomBytes(3).toString('hex')}`,
      shareModes: ['api', 'table'],
      items: ITEMS as never,
      physDelete: true,
    })
    const ids = Object.fromEntries(resource.items.map((i: { id: string; nameEn: string }) => [i.nameEn, i.id])) as Record<string, string>
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: resource.items.map((i: { id: string }) => i.id),
        purpose: '数据校核',
        dutyBasis: '社会救助核对',
        mode: 'table',
        validUntil: '2026-12-31',
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    const decided = await t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
      token: w.tokens.approver,
      body: {
        decision: 'approve',
        masking: { [ids.id_no]: 'id_card', [ids.full_name]: 'name', [ids.person_id]: 'none', [ids.county]: 'none', [ids.updated_at]: 'none' },
        rowFilter: { county: { in: GRANTED_COUNTIES } },
      },
    })
    assert.equal(decided.body.status, 'granted', JSON.stringify(decided.body))
    return { resource, ids, grantId: decided.body.grantId as string }
  }

  const feedBody = (nodeId: string, resourceId: string, ids: Record<string, string>, connection: string, table: string) => ({
    nodeId,
    resourceId,
    connection,
    table,
    keyColumn: 'id',
    incrementalColumn: 'changed_at',
    columns: [
      { itemId: ids.person_id, column: 'id' },
      { itemId: ids.id_no, column: 'sfzh' },
      { itemId: ids.full_name, column: 'xm' },
      { itemId: ids.county, column: 'qx' },
      { itemId: ids.updated_at, column: 'changed_at' },
    ],
  })

  test('PostgreSQL provider → platform → MariaDB consumer: full, then inserts, updates and deletes; revocation purges', async () => {
    let rows = Array.from({ length: 60 }, (_, i) => person(i + 1))
    await source.query('create table people (id int primary key, sfzh varchar(18), xm text, qx text, changed_at timestamp)')
    const insert = (list: Person[]) =>
      Promise.all(
        list.map((p) =>
          source.query(
            'insert into people values ($1,$2,$3,$4,$5) on conflict (id) do update set sfzh = excluded.sfzh, xm = excluded.xm, qx = excluded.qx, changed_at = excluded.changed_at',
            [p.person_id, p.id_no, p.full_name, p.county, p.updated_at],
          ),
        ),
      )
    await insert(rows)
    const { resource, ids, grantId } = await entryWithGrant()

    const provider = await node(w.tokens.nodeOperator, `provider-${suffix}`, { staging: { kind: 'postgres', url: pgUrl } })
    const providerAgent = await agentFor(provider.file)
    const feed = await t.request('POST', '/api/v1/exchange/feeds', {
      token: w.tokens.cataloger,
      body: feedBody(provider.id, resource.id, ids, 'staging', 'people'),
    })
    assert.equal(feed.status, 201, JSON.stringify(feed.body))
    await pump(providerAgent)
    let feedRuns = await runsOf(feed.body.id, w.tokens.nodeOperator)
    assert.deepEqual(
      feedRuns.map((r) => [r.kind, r.status]).reverse(),
      [
        ['verify', 'succeeded'],
        ['full', 'succeeded'],
      ],
      JSON.stringify(feedRuns),
    )
    assert.equal(feedRuns[0].rowsWritten, 60)

    const consumer = await node(operatorB, `consumer-${suffix}`, { mdb: { kind: 'mariadb', ...MARIADB, database: MY_DB } })
    const consumerAgent = await agentFor(consumer.file)
    const delivery = await t.request('POST', '/api/v1/exchange/deliveries', {
      token: operatorB,
      body: { grantId, nodeId: consumer.id, connection: 'mdb', table: 'people_copy' },
    })
    assert.equal(delivery.status, 201, JSON.stringify(delivery.body))
    await pump(consumerAgent)
    assert.deepEqual(await mariaRows('people_copy'), expected(rows))

    // Between runs: 5 new rows, 3 changed (one leaves the granted counties), 2 deleted at the source.
    const fresh = Array.from({ length: 5 }, (_, i) => person(100 + i, '2026-03-02 09:00:00'))
    const changed = [
      { ...person(1), full_name: '改名一', updated_at: '2026-03-02 09:00:00' },
      { ...person(2), full_name: '改名二', updated_at: '2026-03-02 09:00:00' },
      { ...person(5), county: '寿光市', updated_at: '2026-03-02 09:00:00' },
    ]
    await insert([...fresh, ...changed])
    await source.query('delete from people where id in (4, 9)')
    rows = [...rows.filter((r) => ![1, 2, 5, 4, 9].includes(r.person_id)), ...changed, ...fresh]
    assert.equal((await t.request('POST', `/api/v1/exchange/jobs/${feed.body.id}/run`, { token: w.tokens.nodeOperator, body: {} })).status, 204)
    await pump(providerAgent)
    feedRuns = await runsOf(feed.body.id, w.tokens.nodeOperator)
    assert.equal(feedRuns[0].kind, 'incremental', JSON.stringify(feedRuns[0]))
    assert.equal(feedRuns[0].status, 'succeeded', JSON.stringify(feedRuns[0]))
    assert.equal(feedRuns[0].rowsDeleted, 2)
    await pump(consumerAgent)
    const deliveryRuns = await runsOf(delivery.body.id, operatorB)
    assert.deepEqual(
      deliveryRuns.map((r) => [r.kind, r.status]),
      [
        ['incremental', 'succeeded'],
        ['full', 'succeeded'],
      ],
      JSON.stringify(deliveryRuns),
    )
    assert.deepEqual(await mariaRows('people_copy'), expected(rows))

    // Each delivery run is an audited data access and a use of the grant.
    const audited = await t.db
      .selectFrom('auditEvents')
      .select('action')
      .where('grantId', '=', grantId)
      .where('action', 'like', 'exchange.delivery.%')
      .execute()
    assert.ok(audited.length >= 2, JSON.stringify(audited))
    const usage = await t.db.selectFrom('usageRecords').select('rows').where('grantId', '=', grantId).execute()
    assert.equal(usage.length, 2)

    // Revocation: the job stops and the node purges the delivered table, reported back.
    const revoked = await t.request('POST', `/api/v1/grants/${grantId}/revoke`, { token: w.tokens.approver, body: { reason: '业务调整，停止共享' } })
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body))
    await pump(consumerAgent)
    const [tables] = await maria.query(`select table_name from information_schema.tables where table_schema = ? and table_name like 'people_copy%'`, [MY_DB])
    assert.deepEqual(tables, [])
    const jobs = await t.request('GET', '/api/v1/exchange/jobs', { token: operatorB })
    const job = jobs.body.items.find((j: { id: string }) => j.id === delivery.body.id)
    assert.equal(job.status, 'purged')
    assert.ok(job.purgedAt)
    assert.equal((await runsOf(delivery.body.id, operatorB))[0].kind, 'purge')
  })

  test('an enrolment token used twice is refused (a stolen copy cannot enrol a second node), and audited', async () => {
    const created = await node(w.tokens.deptAdmin, `stolen-${suffix}`, { staging: { kind: 'postgres', url: pgUrl } })
    const enrol = () => t.request('POST', '/api/v1/exchange/agent/enrol', { body: { token: created.token, connections: [], version: 'x' } })
    const first = await enrol()
    assert.equal(first.status, 200, JSON.stringify(first.body))
    const second = await enrol()
    assert.equal(second.status, 401)
    assert.equal(second.body.error.code, 'ENROLMENT_REFUSED')
    const denied = await t.db.selectFrom('auditEvents').select('result').where('action', '=', 'exchange.agent.enrol').where('result', '=', 'denied').execute()
    assert.ok(denied.length >= 1)
    // The first enrolment's credential works; a forged one does not; a user's session token is not a node credential.
    const beat = (authorization: string) => t.request('POST', '/api/v1/exchange/agent/heartbeat', { headers: { authorization }, body: { connections: [] } })
    assert.equal((await beat(`Bearer ${first.body.credential}`)).status, 200)
    assert.equal((await beat(`Bearer ${first.body.credential.slice(0, -2)}xx`)).status, 401)
    assert.equal((await beat(`Bearer ${w.tokens.deptAdmin}`)).status, 401)
    // Another department cannot see or reissue the node.
    assert.equal((await t.request('POST', `/api/v1/exchange/nodes/${created.id}/enrolment`, { token: operatorB })).status, 404)
  })

  test('MariaDB provider → platform → PostgreSQL consumer; an agent killed mid-run resumes without duplicates or gaps', async () => {
    let rows = Array.from({ length: 3000 }, (_, i) => person(i + 1))
    await maria.query('create table people_src (id int primary key, sfzh varchar(18), xm varchar(50), qx varchar(20), changed_at datetime)')
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500)
      await maria.query(
        `insert into people_src values ${chunk.map(() => '(?,?,?,?,?)').join(',')}`,
        chunk.flatMap((p) => [p.person_id, p.id_no, p.full_name, p.county, p.updated_at]),
      )
    }
    const { resource, ids, grantId } = await entryWithGrant()
    const provider = await node(w.tokens.nodeOperator, `provider-my-${suffix}`, { mdb: { kind: 'mariadb', ...MARIADB, database: MY_DB } })
    const providerAgent = await agentFor(provider.file)
    const feed = await t.request('POST', '/api/v1/exchange/feeds', {
      token: w.tokens.cataloger,
      body: { ...feedBody(provider.id, resource.id, ids, 'mdb', 'people_src'), channels: 3, splitPk: 'id' },
    })
    assert.equal(feed.status, 201, JSON.stringify(feed.body))
    await pump(providerAgent)
    assert.equal((await runsOf(feed.body.id, w.tokens.nodeOperator))[0].rowsWritten, 3000)

    await source.query('create schema if not exists consumer')
    const consumer = await node(operatorB, `consumer-pg-${suffix}`, { staging: { kind: 'postgres', url: pgUrl } })
    // Enrolled here; the same credential (state directory) is used by the agent process started below.
    const consumerAgent = await agentFor(consumer.file)
    const delivery = await t.request('POST', '/api/v1/exchange/deliveries', {
      token: operatorB,
      body: { grantId, nodeId: consumer.id, connection: 'staging', table: 'consumer.people', speedRecords: 500 },
    })
    assert.equal(delivery.status, 201, JSON.stringify(delivery.body))

    // The agent as its own process, capped at 500 rows/s, killed with SIGKILL in the middle of its full run.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../node-agent/main.ts'), '--config', consumer.file], {
      stdio: 'ignore',
    })
    children.push(child)
    const deadline = Date.now() + 20_000
    for (;;) {
      const runs = await t.db.selectFrom('exchangeRuns').select(['status']).where('jobId', '=', delivery.body.id).execute()
      if (runs.some((r) => r.status === 'running')) break
      assert.ok(Date.now() < deadline, 'the agent never started the delivery')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    // Cut short: the target does not exist yet (the load went to a table beside it).
    assert.equal((await source.query("select to_regclass('consumer.people') as t")).rows[0].t, null)

    // Restarted (same credential, same state directory), it takes the run up again and completes it.
    await pump(consumerAgent)
    const runs = await runsOf(delivery.body.id, operatorB)
    assert.deepEqual(
      runs.map((r) => [r.kind, r.status]),
      [
        ['full', 'succeeded'],
        ['full', 'failed'],
      ],
      JSON.stringify(runs),
    )
    assert.deepEqual(await pgRows(source, 'consumer.people'), expected(rows))
    const keys = await source.query('select count(*)::int as n, count(distinct _gs_key)::int as d from consumer.people')
    assert.equal(keys.rows[0].n, keys.rows[0].d)

    // Changes at the MariaDB source reach the PostgreSQL target.
    await maria.query("update people_src set xm = '改名', changed_at = '2026-03-02 10:00:00' where id in (2, 3)")
    await maria.query('delete from people_src where id in (1, 6)')
    rows = rows.filter((r) => r.person_id !== 1 && r.person_id !== 6).map((r) => (r.person_id === 2 || r.person_id === 3 ? { ...r, full_name: '改名' } : r))
    await t.request('POST', `/api/v1/exchange/jobs/${feed.body.id}/run`, { token: w.tokens.nodeOperator, body: {} })
    await pump(providerAgent)
    await pump(consumerAgent)
    assert.deepEqual(await pgRows(source, 'consumer.people'), expected(rows))
    assert.equal((await runsOf(delivery.body.id, operatorB))[0].kind, 'incremental')
  })
})
