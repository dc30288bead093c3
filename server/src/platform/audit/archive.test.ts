import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import { auditArchiveCommand, auditVerifyCommand } from '../../cli/audit-commands.ts'
import { buildWorld } from '../../testing/factories.ts'
import { asDba } from '../../testing/insider.ts'
import { testDatabaseUrl, withDatabase } from '../../testing/template.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { type OpenDatabase, openDatabase } from '../db/database.ts'
import { MIGRATIONS_DIR } from '../db/migrator.ts'
import type { Database } from '../db/schema.ts'
import {
  AuditArchiveError,
  archiveAuditPartitions,
  auditArchiveSettings,
  ensureUpcomingPartitions,
  listAuditPartitions,
  verifyAuditArchive,
} from './archive.ts'
import { checkpointSettingsOf } from './checkpoint.ts'
import { GENESIS_HASH, appendAudit, chainHash, chainedFieldsOf, verifyAuditChain } from './chain.ts'

const source = (at: string) => ({ actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at: new Date(at) })

describe('audit partitions and archive', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  const dir = mkdtempSync(join(tmpdir(), 'govshare-audit-archive-'))
  const verify = () => t.request('GET', '/api/v1/audit/verify', { token: world.tokens.auditor })

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    // Three events a month from 2025-09 to 2026-06 (Beijing time), the first just after a month starts.
    for (let month = 0; month < 10; month++) {
      const start = new Date(Date.UTC(2025, 8 + month, 1) - 8 * 3_600_000)
      for (const minutes of [0, 60 * 24 * 10, 60 * 24 * 20]) {
        await appendAudit(
          t.db,
          { ...source(''), at: new Date(start.getTime() + minutes * 60_000) },
          { action: 'test.archive.monthly', detail: { month, 名称: '月度' } },
        )
      }
    }
  })
  after(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('each month has its own partition (Beijing time); an event stamped before the chain head takes its time', async () => {
    const parts = (await listAuditPartitions(t.db)).map((p) => p.name)
    for (const name of ['audit_events_202509', 'audit_events_202510', 'audit_events_202606']) assert.ok(parts.includes(name), name)
    const { rows } = await sql<{ part: string; n: number }>`
      select c.relname as part, count(*)::int as n from audit_events e join pg_class c on c.oid = e.tableoid
       where e.action = 'test.archive.monthly' group by c.relname order by 1`.execute(t.db)
    assert.equal(rows.length, 10)
    assert.ok(rows.every((r) => r.n === 3))
    // 2025-08-31T16:00Z is 00:00 on 1 September in Beijing.
    const first = await t.db
      .selectFrom('auditEvents')
      .select('at')
      .where('action', '=', 'test.archive.monthly')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow()
    assert.equal(new Date(first.at).toISOString(), '2025-08-31T16:00:00.000Z')

    await appendAudit(t.db, source('2025-10-05T00:00:00Z'), { action: 'test.archive.late' })
    const late = await t.db.selectFrom('auditEvents').select('at').where('action', '=', 'test.archive.late').executeTakeFirstOrThrow()
    const head = await t.db
      .selectFrom('auditEvents')
      .select('at')
      .where('action', '=', 'test.archive.monthly')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    assert.equal(new Date(late.at).toISOString(), new Date(head.at).toISOString())
    assert.ok((await ensureUpcomingPartitions(t.db, new Date('2026-06-20T00:00:00Z'))) >= 1) // July and August
    assert.equal(await ensureUpcomingPartitions(t.db, new Date('2026-06-20T00:00:00Z')), 0)
  })

  test('the online retention is at least six months', async () => {
    assert.throws(() => auditArchiveSettings({ GOVSHARE_AUDIT_ONLINE_MONTHS: '5' }), /不小于 6/)
    await assert.rejects(archiveAuditPartitions(t.db, { onlineMonths: 3, archiveDir: dir, now: new Date() }), AuditArchiveError)
    assert.equal(auditArchiveSettings({}).onlineMonths, 6)
  })

  test('months past the retention go to SM3-checked files; verification continues from the archive', async () => {
    const now = new Date('2026-06-20T00:00:00Z')
    const dry = await archiveAuditPartitions(t.db, { onlineMonths: 6, archiveDir: dir, now, dryRun: true })
    assert.deepEqual(dry.pending, ['audit_events_202509', 'audit_events_202510', 'audit_events_202511'])
    assert.deepEqual(readdirSync(dir), [])

    const done = await archiveAuditPartitions(t.db, { onlineMonths: 6, archiveDir: dir, now, checkpoint: checkpointSettingsOf(t.config) })
    assert.equal(done.cutoff.toISOString(), '2025-11-30T16:00:00.000Z') // keeps December … June online
    assert.deepEqual(
      done.archived.map((s) => [s.partition, s.events]),
      [
        ['audit_events_202509', 3],
        ['audit_events_202510', 3],
        ['audit_events_202511', 3],
      ],
    )
    const parts = (await listAuditPartitions(t.db)).map((p) => p.name)
    assert.ok(!parts.includes('audit_events_202511') && parts.includes('audit_events_202512'))

    // The files: one JSON line per event, every field, SM3 of the file and of first/last event recorded.
    const records = await t.db.selectFrom('auditArchives').selectAll().orderBy('id').execute()
    assert.equal(records.length, 3)
    assert.equal(records[0].prevHash, GENESIS_HASH)
    for (let i = 1; i < records.length; i++) assert.equal(records[i].prevHash, records[i - 1].lastHash)
    const content = readFileSync(join(dir, 'audit_events_202510.jsonl'))
    assert.equal(createHash('sm3').update(content).digest('hex'), records[1].fileSm3)
    const lines = content
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(lines.length, 3)
    assert.equal(lines[0].hash, records[1].firstHash)
    assert.equal(lines[2].hash, records[1].lastHash)
    assert.equal(lines[0].detail.名称, '月度')
    assert.equal(lines[1].hash, chainHash(lines[0].hash, chainedFieldsOf(lines[1])))
    const manifest = JSON.parse(readFileSync(join(dir, 'audit_events_202510.manifest.json'), 'utf8'))
    assert.equal(manifest.fileSm3, records[1].fileSm3)

    const res = await verify()
    assert.equal(res.body.ok, true, JSON.stringify(res.body))
    assert.equal(res.body.archivedSegments, 3)
    assert.equal(res.body.archivedEvents, 9)
    assert.equal(res.body.startHash, records[2].lastHash)
    const firstOnline = await t.db.selectFrom('auditEvents').select('prevHash').orderBy('id').limit(1).executeTakeFirstOrThrow()
    assert.equal(firstOnline.prevHash, records[2].lastHash)
    const archiveEvents = await t.db.selectFrom('auditEvents').select('objectId').where('action', '=', 'audit.archive.segment').execute()
    assert.equal(archiveEvents.length, 3)
    assert.equal((await verifyAuditArchive(t.db, dir)).ok, true)
    // Each archive run ends with a signed checkpoint of the head that follows it (its last segment event).
    // (The chain check the auditor just ran is recorded after the head it checked.)
    const head = await t.db
      .selectFrom('auditEvents')
      .select(['id', 'action'])
      .where('action', '!=', 'audit.chain.verify')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    assert.equal(head.action, 'audit.archive.segment')
    assert.equal(res.body.checkpoint.code, 'CHECKPOINT_MATCHED')
    assert.equal(res.body.checkpoint.checkpoint.eventId, Number(head.id))

    // Nothing more is due: a second run (or a second process) does nothing.
    assert.deepEqual((await archiveAuditPartitions(t.db, { onlineMonths: 6, archiveDir: dir, now })).archived, [])
    // The archive table is append-only too.
    await assert.rejects(sql`delete from audit_archives`.execute(t.db), /只允许追加/)
  })

  test('a changed archive file or a missing segment is reported', async () => {
    const path = join(dir, 'audit_events_202510.jsonl')
    const original = readFileSync(path, 'utf8')
    writeFileSync(path, original.replace('月度', '修改'))
    const changed = await verifyAuditArchive(t.db, dir)
    assert.equal(changed.ok, false)
    assert.ok(
      changed.problems.some((p) => p.includes('audit_events_202510') && p.includes('SM3')),
      changed.problems.join('\n'),
    )
    assert.ok(
      changed.problems.some((p) => p.includes('第 1 行')),
      changed.problems.join('\n'),
    )
    await assert.rejects(auditVerifyCommand(t.db, { archiveDir: dir }, t.config), /校验未通过/)
    rmSync(path)
    assert.ok((await verifyAuditArchive(t.db, dir)).problems.some((p) => p.includes('不存在')))
    writeFileSync(path, original)
    assert.equal((await auditVerifyCommand(t.db, { archiveDir: dir }, t.config)).ok, true)
  })

  test('a month whose events do not verify is not archived: the evidence stays online', async () => {
    const victim = await t.db
      .selectFrom('auditEvents')
      .select('id')
      .where('at', '>=', new Date('2025-11-30T16:00:00Z'))
      .orderBy('id')
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow()
    await asDba(t.db, sql`update audit_events set detail = '{"month": 99}'::jsonb where id = ${victim.id}`)
    await assert.rejects(
      archiveAuditPartitions(t.db, { onlineMonths: 6, archiveDir: dir, now: new Date('2026-07-20T00:00:00Z') }),
      new RegExp(`审计事件 ${victim.id} 校验失败`),
    )
    assert.ok((await listAuditPartitions(t.db)).some((p) => p.name === 'audit_events_202512'))
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('audit_events_202512')))
    assert.equal((await verify()).body.firstBadId, victim.id)
    await assert.rejects(auditArchiveCommand(t.db, { archiveDir: dir, onlineMonths: '6' }, t.config), /校验失败/)
  })
})

describe('audit archive of every online month', () => {
  let t: TestApp
  const dir = mkdtempSync(join(tmpdir(), 'govshare-audit-archive-all-'))
  before(async () => {
    t = await buildTestApp()
  })
  after(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('with everything archived, the next event links to the archive and the chain verifies', async () => {
    for (const at of ['2026-01-10T00:00:00Z', '2026-02-10T00:00:00Z']) await appendAudit(t.db, source(at), { action: 'test.archive.all' })
    const far = new Date('2030-01-01T00:00:00Z')
    const done = await archiveAuditPartitions(t.db, { onlineMonths: 6, archiveDir: dir, now: far })
    assert.ok(done.archived.length >= 2)
    // The archive step's own events went to the month they happened in; archive again until only those remain.
    const last = await t.db.selectFrom('auditArchives').select(['lastHash']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
    const firstOnline = await t.db.selectFrom('auditEvents').select(['prevHash', 'action']).orderBy('id').limit(1).executeTakeFirstOrThrow()
    assert.equal(firstOnline.prevHash, last.lastHash)
    await appendAudit(t.db, source('2026-03-10T00:00:00Z'), { action: 'test.archive.after' })
    const verification = await verifyAuditChain(t.db)
    assert.equal(verification.ok, true)
    const records = await t.db.selectFrom('auditArchives').select('eventCount').execute()
    assert.equal(
      verification.archivedEvents,
      records.reduce((sum, r) => sum + r.eventCount, 0),
    )
    assert.ok(verification.archivedEvents >= 2)
    assert.equal((await verifyAuditArchive(t.db, dir)).ok, true)
  })
})

test('migration 0013 converts a filled audit table without losing an event or breaking the chain', async () => {
  const url = testDatabaseUrl()
  const name = `govshare_t_mig13_${process.pid}`
  let database: OpenDatabase
  if (url) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop database if exists ${name}`)
    await admin.query(`create database ${name} template template0 encoding 'UTF8'`)
    await admin.end()
    database = await openDatabase({ url: withDatabase(url, name), poolSize: 2 })
  } else {
    database = await openDatabase({ dataDir: 'memory://' })
  }
  try {
    const db = database.db
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{4}_.+\.sql$/.test(f))
      .sort()
    for (const file of files.filter((f) => f < '0013')) await sql.raw(readFileSync(join(MIGRATIONS_DIR, file), 'utf8')).execute(db)
    // Events written by the old code: straight inserts into the plain table, across months and years.
    let prev = GENESIS_HASH
    const times = ['2025-12-31T15:59:59Z', '2025-12-31T16:00:00Z', '2026-02-10T00:00:00Z', '2026-02-11T00:00:00Z', '2026-11-20T00:00:00Z']
    for (const [i, at] of times.entries()) {
      const fields = {
        at: new Date(at),
        actorId: null,
        appId: null,
        orgId: null,
        roles: ['CLI'],
        action: 'legacy.event',
        objectType: null,
        objectId: null,
        result: 'success',
        ip: null,
        requestId: null,
        grantId: null,
        detail: { i, 名称: '旧' },
      }
      const hash = chainHash(prev, fields)
      await sql`insert into audit_events (at, roles, action, result, detail, prev_hash, hash) values (${fields.at}, ${['CLI']}, 'legacy.event', 'success', ${JSON.stringify(fields.detail)}::jsonb, ${prev}, ${hash})`.execute(
        db,
      )
      prev = hash
    }
    const before = await verifyAuditChainLegacy(db)
    // 0013 and every migration after it, as an upgrade applies them.
    for (const file of files.filter((f) => f >= '0013')) await sql.raw(readFileSync(join(MIGRATIONS_DIR, file), 'utf8')).execute(db)
    const after = await verifyAuditChain(db)
    assert.equal(after.ok, true)
    assert.equal(after.count, 5)
    assert.equal(after.headHash, before)
    const { rows } = await sql<{
      part: string
      n: number
    }>`select c.relname as part, count(*)::int as n from audit_events e join pg_class c on c.oid = e.tableoid group by 1 order by 1`.execute(db)
    assert.deepEqual(
      rows.map((r) => [r.part, r.n]),
      [
        ['audit_events_202512', 1],
        ['audit_events_202601', 1],
        ['audit_events_202602', 2],
        ['audit_events_202611', 1],
      ],
    )
    // Ids continue from the old sequence.
    await appendAudit(db, source('2026-11-21T00:00:00Z'), { action: 'after.migration' })
    const ids = (await db.selectFrom('auditEvents').select('id').orderBy('id').execute()).map((r) => r.id)
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6])
    assert.equal((await verifyAuditChain(db)).ok, true)
  } finally {
    await database.close()
    if (url) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }
})

/** The head hash of the old, unpartitioned table (read before the migration). */
async function verifyAuditChainLegacy(db: Kysely<Database>) {
  const { rows } = await sql<{ hash: string }>`select hash from audit_events order by id desc limit 1`.execute(db)
  return rows[0].hash
}
