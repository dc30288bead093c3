import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { appendAudit } from '../../platform/audit/chain.ts'
import { expireGrants } from '../sharing/grants.ts'
import { sm3Hex } from '../../platform/crypto/sm3.ts'
import { secretDigest } from '../../platform/http/client-refs.ts'
import { callLogDigest, sealDigest } from '../../platform/audit/call-seal.ts'
import { paramsDigest } from './records.ts'
import { atRestSealer, digestValue, sealValue } from '../mounts/storage/sealed-columns.ts'
import { maskValue } from '../../platform/masking/masking.ts'
import { pseudonymSecret } from '../../platform/masking/pseudonym-secret.ts'
import { buildWorld, publishResource } from '../../testing/factories.ts'
import { PERSON_CSV, PERSON_ITEMS, grantWithApp } from '../../testing/gateway-grant.ts'
import { asDba } from '../../testing/insider.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

// Short enough to wait out in a test: the bound on changes made by another process (README, Settings).
const gatewayCacheMs = 300

type World = Awaited<ReturnType<typeof buildWorld>>

const ITEMS = PERSON_ITEMS
const CSV = PERSON_CSV
const setup = grantWithApp

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('gateway: grant status changes, caches and the batched call log', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp({ config: { gatewayCacheMs } })
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  test('suspend → GRANT_INACTIVE on the very next call; resume → served again; both audited with the reason', async () => {
    const s = await setup(t, w)
    assert.equal((await s.records()).status, 200) // now cached
    const noReason = await t.request('POST', `/api/v1/grants/${s.grantId}/suspend`, { token: w.tokens.approver, body: {} })
    assert.equal(noReason.status, 400)
    const byConsumer = await t.request('POST', `/api/v1/grants/${s.grantId}/suspend`, { token: w.tokens.requester, body: { reason: '自行暂停' } })
    assert.equal(byConsumer.status, 403)
    const suspended = await t.request('POST', `/api/v1/grants/${s.grantId}/suspend`, { token: w.tokens.approver, body: { reason: '发现超范围使用，暂停核查' } })
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body))
    assert.equal(suspended.body.status, 'suspended')
    assert.equal(suspended.body.statusReason, '发现超范围使用，暂停核查')
    assert.deepEqual([suspended.body.actions.suspend, suspended.body.actions.resume], [false, true])
    const refused = await s.records()
    assert.equal(refused.status, 403)
    assert.equal(refused.body.error.code, 'GRANT_INACTIVE')
    assert.match(refused.body.error.message, /暂停/)
    assert.equal((await t.request('POST', `/api/v1/grants/${s.grantId}/suspend`, { token: w.tokens.approver, body: { reason: '再次' } })).status, 409)
    const resumed = await t.request('POST', `/api/v1/grants/${s.grantId}/resume`, { token: w.tokens.authAdmin, body: { reason: '核查完毕' } })
    assert.equal(resumed.body.status, 'active')
    assert.equal((await s.records()).status, 200)
    const audited = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('grantId', '=', s.grantId)
      .where('action', 'in', ['sharing.grant.suspend', 'sharing.grant.resume'])
      .orderBy('id')
      .execute()
    assert.deepEqual(
      audited.map((a) => [a.action, (a.detail as any).reason]),
      [
        ['sharing.grant.suspend', '发现超范围使用，暂停核查'],
        ['sharing.grant.resume', '核查完毕'],
      ],
    )
  })

  test('revocation, expiry by the job and disabling the app stop access on the next call', async () => {
    const a = await setup(t, w)
    assert.equal((await a.records()).status, 200)
    await t.request('POST', `/api/v1/grants/${a.grantId}/revoke`, { token: w.tokens.approver, body: { reason: '工作结束' } })
    assert.equal((await a.records()).body.error.code, 'GRANT_INACTIVE')

    const b = await setup(t, w)
    assert.equal((await b.records()).status, 200)
    await t.db.updateTable('grants').set({ validUntil: '2026-03-01' }).where('id', '=', b.grantId).execute()
    assert.equal(await expireGrants(t.db, t.clock.now()), 1)
    assert.equal((await b.records()).body.error.code, 'GRANT_INACTIVE')

    const c = await setup(t, w)
    assert.equal((await c.records()).status, 200)
    assert.equal((await t.request('POST', `/api/v1/apps/${c.appId}/disable`, { token: w.tokens.requester })).status, 200)
    assert.equal((await c.records()).status, 401)
  })

  test('a change made by another process (straight in the database) takes effect within the cache time', async () => {
    const s = await setup(t, w)
    assert.equal((await s.records()).status, 200)
    await t.db.updateTable('grants').set({ status: 'revoked', statusReason: '另一进程撤销' }).where('id', '=', s.grantId).execute()
    await sleep(350)
    assert.equal((await s.records()).body.error.code, 'GRANT_INACTIVE')

    const u = await setup(t, w)
    assert.equal((await u.records()).status, 200)
    await t.db.updateTable('apps').set({ status: 'disabled' }).where('id', '=', u.appId).execute()
    await sleep(350)
    assert.equal((await u.records()).status, 401)
  })

  test('concurrent calls: every call is logged and sealed once, the chain verifies, and the rate limit stays exact', async () => {
    const s = await setup(t, w, { rateLimitPerMinute: 10 })
    const answers = await Promise.all(Array.from({ length: 25 }, () => s.records('?limit=1&businessRef=BJ-C')))
    assert.equal(answers.filter((r) => r.status === 200).length, 10)
    assert.equal(answers.filter((r) => r.status === 429).length, 15)
    const logs = await t.db.selectFrom('callLogs').select(['id', 'result', 'requestId']).where('resourceId', '=', s.resource.id).execute()
    assert.equal(logs.length, 25)
    assert.equal(new Set(logs.map((l) => l.requestId)).size, 25)
    // Each call log is sealed by exactly one gateway.records.read event of its outcome; calls committed together share one.
    const seals = await t.db
      .selectFrom('auditEvents')
      .select(['result', 'requestId', 'detail'])
      .where('action', '=', 'gateway.records.read')
      .where('objectId', '=', s.resource.id)
      .execute()
    const sealedIds = seals.flatMap((e) => (e.detail as { callLogIds: number[] }).callLogIds.map(Number))
    assert.deepEqual(
      sealedIds.sort((a, b) => a - b),
      logs.map((l) => Number(l.id)).sort((a, b) => a - b),
    )
    const callsOf = (result: string) => seals.filter((e) => e.result === result).reduce((n, e) => n + (e.detail as { calls: number }).calls, 0)
    assert.equal(callsOf('success'), 10)
    assert.equal(callsOf('denied'), 15)
    for (const seal of seals) {
      const detail = seal.detail as { calls: number; requestIds?: string[] }
      if (detail.calls === 1) assert.ok(logs.some((l) => l.requestId === seal.requestId))
      else assert.equal(detail.requestIds?.length, detail.calls)
    }
    // Each call's request id finds the one event that seals it, alone or in a group.
    for (const log of logs.slice(0, 5)) {
      const found = await t.request('GET', `/api/v1/audit/events?action=gateway.records.read&requestId=${log.requestId}`, { token: w.tokens.auditor })
      assert.equal(found.body.total, 1, JSON.stringify(found.body))
      assert.ok((found.body.items[0].detail.callLogIds as number[]).map(Number).includes(Number(log.id)))
    }
    // The usage records of the grant are its successful calls, with their 办件号 and the grant's purpose.
    const usage = await t.request('GET', `/api/v1/grants/${s.grantId}/usage?pageSize=5`, { token: w.tokens.requester })
    assert.equal(usage.body.total, 10)
    assert.equal(usage.body.items.length, 5)
    assert.ok(usage.body.items.every((u: any) => u.source === 'gateway' && u.businessRef === 'BJ-C' && u.purpose === '数据校核' && u.rows === 1))
    const secondPage = await t.request('GET', `/api/v1/grants/${s.grantId}/usage?pageSize=5&page=2`, { token: w.tokens.requester })
    assert.equal(new Set([...usage.body.items, ...secondPage.body.items].map((u: any) => u.id)).size, 10)
    // Uses recorded by another channel merge in by time.
    const later = new Date(t.clock.now().getTime() + 60_000)
    await t.db
      .insertInto('usageRecords')
      .values({ grantId: s.grantId, at: later, userId: w.users.requester.id, businessRef: 'BJ-FILE', purpose: '文件交换', rows: 300 })
      .execute()
    const merged = await t.request('GET', `/api/v1/grants/${s.grantId}/usage?pageSize=3`, { token: w.tokens.requester })
    assert.equal(merged.body.total, 11)
    assert.deepEqual(
      merged.body.items.map((u: any) => [u.source, u.businessRef]),
      [
        ['record', 'BJ-FILE'],
        ['gateway', 'BJ-C'],
        ['gateway', 'BJ-C'],
      ],
    )
    const chain = await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })
    assert.equal(chain.body.ok, true, JSON.stringify(chain.body))
    assert.ok(chain.body.callLogs.sealedCalls >= 25)
  })

  test('the database refuses to change, delete or truncate call logs', async () => {
    const s = await setup(t, w)
    await s.records()
    const [log] = await t.db.selectFrom('callLogs').selectAll().where('grantId', '=', s.grantId).orderBy('id').limit(1).execute()
    await assert.rejects(t.db.updateTable('callLogs').set({ rowsReturned: 0, businessRef: 'x' }).where('id', '=', log.id).execute(), /只允许追加/)
    await assert.rejects(t.db.deleteFrom('callLogs').where('id', '=', log.id).execute(), /只允许追加/)
    await assert.rejects(sql`truncate call_logs`.execute(t.db), /只允许追加/)
    const again = await t.db.selectFrom('callLogs').selectAll().where('id', '=', log.id).executeTakeFirstOrThrow()
    assert.deepEqual(again, log)
  })

  test('an altered, deleted or smuggled-in call log breaks the seal check', async () => {
    const s = await setup(t, w)
    await Promise.all([s.records(), s.records('?limit=1')])
    const verify = async () => (await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })).body
    assert.equal((await verify()).ok, true)
    const [first] = await t.db.selectFrom('callLogs').selectAll().where('grantId', '=', s.grantId).orderBy('id').limit(1).execute()
    const sealOf = async (id: number) =>
      (await t.db.selectFrom('auditEvents').select(['id', 'detail']).where('action', '=', 'gateway.records.read').execute()).find((e) =>
        (e.detail as { callLogIds?: number[] }).callLogIds?.map(Number).includes(Number(id)),
      )!.id

    await asDba(t.db, sql`update call_logs set rows_returned = rows_returned + 1 where id = ${first.id}`)
    let result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBadId, null) // the chain itself is intact
    assert.equal(result.callLogs.firstBadEventId, await sealOf(first.id))
    await asDba(t.db, sql`update call_logs set rows_returned = ${first.rowsReturned} where id = ${first.id}`)
    assert.equal((await verify()).ok, true)

    const { id, ...copy } = first
    await asDba(t.db, sql`delete from call_logs where id = ${id}`)
    result = await verify()
    assert.equal(result.callLogs.firstBadEventId, await sealOf(id))
    await t.db
      .insertInto('callLogs')
      .values({ id, ...copy })
      .execute()
    assert.equal((await verify()).ok, true)

    await t.db
      .insertInto('callLogs')
      .values({ ...copy, requestId: 'forged' })
      .execute()
    result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.callLogs.unsealedCalls, 1)
    await asDba(t.db, sql`delete from call_logs where request_id = 'forged'`)
    assert.equal((await verify()).ok, true)

    // A second seal over a call log already sealed (appended through the chain, so the chain still verifies).
    const source = { actorId: null, orgId: null, roles: ['APP'], ip: null, requestId: null, at: new Date() }
    await appendAudit(t.db, source, {
      action: 'gateway.records.read',
      detail: { calls: 1, callLogIds: [Number(id)], digest: sealDigest([callLogDigest(first)]) },
    })
    result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBadId, null)
    // The newest seal (the check itself is recorded after it, as audit.chain.verify).
    const [forgedSeal] = await t.db.selectFrom('auditEvents').select('id').where('action', '=', 'gateway.records.read').orderBy('id', 'desc').limit(1).execute()
    assert.equal(result.callLogs.firstBadEventId, forgedSeal.id)
  })
})

describe('涉密 data on the 外网 instance', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp({ config: { gatewayCacheMs } })
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  test('an entry or item marked 涉密 (e.g. registered before a zone change) is refused by mount upload and by the gateway', async () => {
    assert.equal(t.config.networkZone, 'extranet')
    const s = await setup(t, w)
    assert.equal((await s.records()).status, 200)
    // The catalog refuses 涉密 on this instance, so the marking is made the way a migrated database would carry it.
    await sql`update resource_versions set items = jsonb_set(items, '{2,secret}', 'true') where resource_id = ${s.resource.id}`.execute(t.db)
    await sleep(350) // the catalog entry is cached up to the cache time
    const read = await s.records()
    assert.equal(read.status, 403)
    assert.equal(read.body.error.code, 'SECRET_ON_EXTRANET')
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(CSV)]), 'p.csv')
    form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
    const upload = await t.request('POST', `/api/v1/catalog/resources/${s.resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
    assert.equal(upload.status, 403)
    assert.equal(upload.body.error.code, 'SECRET_ON_EXTRANET')
    const api = await t.request('POST', `/api/v1/catalog/resources/${s.resource.id}/mounts/api`, {
      token: w.tokens.cataloger,
      body: { upstreamUrl: 'http://127.0.0.1:9/x', method: 'GET', params: [] },
    })
    assert.equal(api.status, 403)
    const logged = await t.db.selectFrom('callLogs').select('errorCode').where('resourceId', '=', s.resource.id).where('result', '=', 'denied').execute()
    assert.ok(logged.some((l) => l.errorCode === 'SECRET_ON_EXTRANET'))
  })
})

describe('SM4 at rest for sensitive mounted items', () => {
  let t: TestApp
  let w: World
  const dataKey = randomBytes(16)
  before(async () => {
    t = await buildTestApp({ config: { dataKey, gatewayCacheMs } })
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const managedRows = async (resourceId: string) => {
    const mount = await t.db
      .selectFrom('mounts')
      .select(['activeTable', 'columns'])
      .where('resourceId', '=', resourceId)
      .where('kind', '=', 'table')
      .executeTakeFirstOrThrow()
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(mount.activeTable!)} order by _line`.execute(t.db)).rows
    return { mount, rows }
  }

  test('sensitive items are stored as SM4 ciphertext with a digest column; the gateway looks up, decrypts and masks', async () => {
    // id_no masked by its default (id_card) and declared a lookup key; full_name default name masking.
    const s = await setup(t, w, { masking: {}, lookupKeys: ['id_no'] })
    const { mount, rows } = await managedRows(s.resource.id)
    const text = JSON.stringify(rows)
    for (const raw of ['370702199003071234', '张三', '欧阳娜娜']) assert.ok(!text.includes(raw), `${raw} stored in clear`)
    assert.ok(text.includes('潍城区')) // not sensitive: plain
    // (Kysely's camel-case plugin renames the columns: id_no → idNo.) The compact format: bytes, versioned,
    // 29 bytes over the value; a 16-byte digest.
    const cell = rows[0].idNo as Uint8Array
    assert.ok(cell instanceof Uint8Array && cell[0] === 2 && cell.length === 18 + 29, String(cell))
    assert.ok(!Buffer.from(cell).toString('latin1').includes('3707'))
    assert.ok(
      Object.values(rows[0]).some((v) => v instanceof Uint8Array && v.length === 16),
      'digest column',
    )
    assert.deepEqual(
      mount.columns.filter((c) => c.sealed).map((c) => c.sealed!.format),
      [2, 2],
    )
    assert.ok(mount.columns.find((c) => c.column === 'id_no')!.sealed?.keyId)
    assert.ok(!JSON.stringify(mount.columns).includes(dataKey.toString('hex')))

    const one = await s.records('?id_no=370705198512120021')
    assert.equal(one.status, 200, JSON.stringify(one.body))
    // Decrypted, then masked by the grant's defaults (id_card, name) before leaving.
    assert.deepEqual(one.body.items, [{ id_no: '370705********0021', full_name: '欧阳**', county: '奎文区' }])
    assert.deepEqual((await s.records('?id_no=370705198512120022')).body.items, [])
  })

  test('a batch stored in the first sealed format (text ciphertext, hex digests) is still looked up, filtered and read', async () => {
    const s = await setup(t, w, (ids) => ({ masking: { [ids[0]]: 'none', [ids[1]]: 'none' }, lookupKeys: ['id_no'] }))
    const { mount, rows } = await managedRows(s.resource.id)
    // Rewrite the batch as format 1 stored it: the same values sealed as `v1.` text, 64-hex-digit digests,
    // and column metadata without a format.
    const sealer = atRestSealer(dataKey)!
    const sealedColumns = mount.columns.filter((c) => c.sealed)
    const table = sql.table(mount.activeTable!)
    for (const c of sealedColumns) {
      await sql`alter table ${table} alter column ${sql.ref(c.column)} type text using null, alter column ${sql.ref(c.sealed!.digestColumn)} type char(64) using encode(${sql.ref(c.sealed!.digestColumn)}, 'hex') || repeat('0', 32)`.execute(
        t.db,
      )
    }
    const plain: Record<string, string[]> = {
      id_no: ['370702199003071234', '370705198512120021', '370783200101015678'],
      full_name: ['张三', '欧阳娜娜', '李四'],
    }
    for (const [i, row] of rows.entries()) {
      for (const c of sealedColumns) {
        const value = plain[c.column][i]
        await sql`update ${table} set ${sql.ref(c.column)} = ${sealValue(sealer, s.resource.id, c.itemId, value, 1)}, ${sql.ref(c.sealed!.digestColumn)} = ${digestValue(sealer, c.itemId, value, 1)} where _line = ${row._Line as number}`.execute(
          t.db,
        )
      }
    }
    const formatOne = mount.columns.map((c) => (c.sealed ? { ...c, sealed: { keyId: c.sealed.keyId, digestColumn: c.sealed.digestColumn } } : c))
    await t.db
      .updateTable('mounts')
      .set({ columns: JSON.stringify(formatOne) })
      .where('resourceId', '=', s.resource.id)
      .where('kind', '=', 'table')
      .execute()
    await sleep(350)
    const stored = (await managedRows(s.resource.id)).rows
    assert.match(String(stored[0].idNo), /^v1\./)
    const one = await s.records('?id_no=370705198512120021')
    assert.equal(one.status, 200, JSON.stringify(one.body))
    assert.deepEqual(one.body.items, [{ id_no: '370705198512120021', full_name: '欧阳娜娜', county: '奎文区' }])
    assert.deepEqual((await s.records('?id_no=370705198512120022')).body.items, [])
  })

  test('the call log keeps a keyed digest of the query: hashing a candidate 身份证号 does not find it', async () => {
    const s = await setup(t, w, { lookupKeys: ['id_no'] })
    const query = { id_no: '370705198512120021' }
    assert.equal((await s.records('?id_no=370705198512120021')).status, 200)
    const [log] = await t.db.selectFrom('callLogs').select('paramsDigest').where('appId', '=', s.appId).execute()
    assert.match(String(log.paramsDigest), /^[0-9a-f]{64}$/)
    assert.notEqual(log.paramsDigest, sm3Hex(JSON.stringify(query)))
    // The same query under the same key gives the same digest (an auditor holding the key can match it); another key does not.
    assert.equal(log.paramsDigest, paramsDigest(dataKey, query))
    assert.notEqual(log.paramsDigest, paramsDigest(randomBytes(16), query))
    assert.equal(paramsDigest(null, query), sm3Hex(JSON.stringify(query)))
  })

  test('row filters on an encrypted item: eq/in through the digest, prefix/range refused with a clear error', async () => {
    // A row filter never names a masked item (masked-conditions.ts): id_no is shared in clear here.
    const clearId = (rowFilter: Record<string, unknown>) => (ids: string[]) => ({ masking: { [ids[0]]: 'none', [ids[1]]: 'name' }, rowFilter })
    const eq = await setup(t, w, clearId({ id_no: { in: ['370702199003071234', '370783200101015678'] } }))
    const got = await eq.records()
    assert.deepEqual(
      got.body.items.map((r: any) => r.county),
      ['潍城区', '寿光市'],
      JSON.stringify(got.body),
    )
    const prefix = await setup(t, w, clearId({ id_no: { prefix: '370702' } }))
    const refused = await prefix.records()
    assert.equal(refused.status, 409)
    assert.equal(refused.body.error.code, 'FILTER_ON_ENCRYPTED_ITEM')
    assert.match(refused.body.error.message, /id_no/)
  })

  test('SM3 pseudonyms are keyed by a secret derived from the data key, which no table holds', async () => {
    const s = await setup(t, w, (ids) => ({ masking: { [ids[0]]: 'sm3', [ids[1]]: 'name' } }))
    const res = await s.records()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const secret = pseudonymSecret(dataKey)
    assert.equal(res.body.items[0].id_no, maskValue('sm3', '370702199003071234', `${secret}:${w.deptB.id}`))
    assert.notEqual(secret, pseudonymSecret(randomBytes(16)))
    assert.equal(secret, pseudonymSecret(Buffer.from(dataKey))) // the same key in another process: the same pseudonyms
    const parameters = await t.db.selectFrom('parameters').select(['key', 'value']).execute()
    assert.ok(!parameters.some((p) => p.key.startsWith('masking.') || JSON.stringify(p.value).includes(secret)), JSON.stringify(parameters))
  })

  test('duplicate keys are found through the digest; a batch sealed under another key is never served', async () => {
    const resource = await publishResource(t, w.tokens, {
      name: `重复主键${randomBytes(3).toString('hex')}`,
      shareModes: ['api', 'table'],
      items: ITEMS as never,
    })
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(`${CSV}\n370702199003071234,张三丰,潍城区`)]), 'dup.csv')
    form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
    const dup = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
    assert.equal(dup.status, 400)
    assert.match(JSON.stringify(dup.body), /主键重复（与第 2 行相同）/)

    const s = await setup(t, w)
    const { mount } = await managedRows(s.resource.id)
    const otherKey = mount.columns.map((c) => (c.sealed ? { ...c, sealed: { ...c.sealed, keyId: 'ffffffffffffffff' } } : c))
    await t.db
      .updateTable('mounts')
      .set({ columns: JSON.stringify(otherKey) })
      .where('resourceId', '=', s.resource.id)
      .where('kind', '=', 'table')
      .execute()
    await sleep(350)
    const res = await s.records()
    assert.equal(res.status, 503)
    assert.equal(res.body.error.code, 'DATA_KEY_UNAVAILABLE')
    assert.ok(!JSON.stringify(res.body).includes('v1.'))
  })
})

describe('gateway: client references and refused calls in the call log', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const call = (s: Awaited<ReturnType<typeof setup>>, path: string, headers: Record<string, string> = {}) =>
    t.request('GET', `/api/v1/gateway/resources/${path}`, { headers: { authorization: `Bearer ${s.token}`, ...headers } })
  const logOf = (requestId: string) => t.db.selectFrom('callLogs').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow()

  test('a valid 办件号 is stored as sent, from the header (UTF-8) or the query', async () => {
    const s = await setup(t, w)
    const header = await call(s, `${s.resource.id}/records`, {
      'x-business-ref': Buffer.from('潍民办-2026-0001').toString('latin1'),
      'x-request-id': 'ref-header-1',
    })
    assert.equal(header.status, 200, JSON.stringify(header.body))
    assert.equal((await logOf('ref-header-1')).businessRef, '潍民办-2026-0001')
    const query = await call(s, `${s.resource.id}/records?businessRef=${encodeURIComponent('MZ 2026/11 #3')}`, { 'x-request-id': 'ref-query-1' })
    assert.equal(query.status, 200)
    assert.equal((await logOf('ref-query-1')).businessRef, 'MZ 2026/11 #3')
  })

  test('an over-long or invisible-character 办件号 is refused with 400, logged without it', async () => {
    const s = await setup(t, w)
    const cases: [string, Record<string, string>, RegExp][] = [
      [`${s.resource.id}/records`, { 'x-business-ref': 'B'.repeat(65) }, /X-Business-Ref（办件号） 不能超过 64 个字符/],
      [`${s.resource.id}/records?businessRef=${encodeURIComponent('BJ\u0001001')}`, {}, /businessRef（办件号） 含有控制字符/],
      [`${s.resource.id}/records?businessRef=${encodeURIComponent('BJ\u200b001')}`, {}, /含有控制字符或不可见字符/],
      [`${s.resource.id}/records`, { 'x-business-ref': '\xff\xfe' }, /不是有效的 UTF-8 文本/],
    ]
    for (const [i, [path, headers, message]] of cases.entries()) {
      const res = await call(s, path, { ...headers, 'x-request-id': `bad-ref-${i}` })
      assert.equal(res.status, 400, path)
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.match(res.body.error.message, message)
      const log = await logOf(`bad-ref-${i}`)
      assert.deepEqual(
        [log.result, log.errorCode, log.errorClass, log.businessRef, log.appId, log.rowsReturned],
        ['denied', 'VALIDATION_FAILED', '参数校验失败', null, s.appId, 0],
      )
    }
  })

  test('a secret typed into X-Business-Ref or X-Request-Id is stored as its digest, never as itself', async () => {
    const s = await setup(t, w)
    const secret = randomBytes(32).toString('base64url') // the shape of app secrets and tokens
    const res = await call(s, `${s.resource.id}/records`, { 'x-business-ref': secret, 'x-request-id': 'secret-ref-1' })
    assert.equal(res.status, 200)
    assert.equal((await logOf('secret-ref-1')).businessRef, secretDigest(secret))
    const byToken = await call(s, `${s.resource.id}/records`, { 'x-request-id': s.token })
    assert.equal(byToken.status, 200)
    assert.equal(byToken.headers.get('x-request-id'), secretDigest(s.token))
    assert.ok(await logOf(secretDigest(s.token)))
    const leaks = await sql<{
      n: number
    }>`select count(*)::int as n from call_logs where business_ref in (${secret}, ${s.token}) or request_id in (${secret}, ${s.token})`.execute(t.db)
    assert.equal(leaks.rows[0].n, 0)
    const audited = await sql<{
      n: number
    }>`select count(*)::int as n from audit_events where request_id = ${s.token} or detail::text like ${`%${s.token}%`}`.execute(t.db)
    assert.equal(audited.rows[0].n, 0)
  })

  test('calls the route schema refuses are in the call log too, with the caller, and still sealed', async () => {
    const s = await setup(t, w)
    const badId = await call(s, 'not-a-uuid/records', { 'x-request-id': 'schema-1' })
    assert.equal(badId.status, 400)
    assert.equal(badId.body.error.code, 'VALIDATION_FAILED')
    assert.equal(badId.body.error.details[0].field, 'resourceId')
    const repeated = await call(s, `${s.resource.id}/records?limit=1&limit=2`, { 'x-request-id': 'schema-2' })
    assert.equal(repeated.status, 400)
    assert.equal(repeated.body.error.details[0].field, 'limit')
    // Without a token the schema's answer is the same; the call is logged with no app.
    const anonymous = await t.request('GET', '/api/v1/gateway/resources/not-a-uuid/records', { headers: { 'x-request-id': 'schema-3' } })
    assert.equal(anonymous.status, 400)

    const one = await logOf('schema-1')
    assert.deepEqual(
      [one.result, one.errorCode, one.errorClass, one.appId, one.consumerOrgId, one.resourceId],
      ['denied', 'VALIDATION_FAILED', '参数校验失败', s.appId, w.deptB.id, null],
    )
    const two = await logOf('schema-2')
    assert.deepEqual([two.errorCode, two.appId, two.resourceId], ['VALIDATION_FAILED', s.appId, s.resource.id])
    assert.equal((await logOf('schema-3')).appId, null)
    const verified = await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body))
  })
})
