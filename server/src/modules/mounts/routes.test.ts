import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { sm3Hex } from '../../platform/crypto/sm3.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { markLoadDone, markLoadLive } from './storage/cleanup.ts'
import { activeMountKinds, cleanupStaleBatches, findActiveTableMount, findApiMount, latestFile } from './index.ts'
import {
  ALL_TYPES_ITEMS,
  assertError,
  batchesOf,
  createEntry,
  encodeGbk,
  item,
  managedTablesOf,
  publishEntry,
  tableMountOf,
  uploadForm,
  uploadTablePath,
} from './test-helpers.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

/** Rows of the active managed table as JSON (dates and times as PostgreSQL writes them). */
async function tableRows(t: TestApp, resourceId: string): Promise<Record<string, unknown>[]> {
  const mount = await tableMountOf(t.db, resourceId)
  assert.ok(mount?.activeTable, 'no active table')
  const result = await sql<{ row: Record<string, unknown> }>`select to_jsonb(t) as row from ${sql.table(mount.activeTable)} t order by _line`.execute(
    t.db.withoutPlugins(),
  )
  return result.rows.map((r) => r.row)
}

const ORGS_CSV = [
  'uscc,org_name,legal_rep_id,updated_at,extra',
  '91370700MA3C000001,潍坊市甲社会组织,370702199001011234,2026-01-05 08:30:00,x',
  '91370700MA3C000002,"潍坊市乙, 协会",,2026/01/06 09:00,y',
  '91370700MA3C000003,潍坊市丙基金会,370702198505052345,2026-01-07T10:15:30,z',
].join('\n')

describe('mounting a table (CSV / XLSX)', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const upload = (id: string, form: FormData, token = world.tokens.cataloger) => t.request('POST', uploadTablePath(id), { token, body: form })

  test('a UTF-8 CSV loads its rows; extra columns are ignored and reported; the swap is audited', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const response = await upload(id, uploadForm(ORGS_CSV))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.rows, 3)
    assert.deepEqual(response.body.columns, ['uscc', 'org_name', 'legal_rep_id', 'updated_at'])
    assert.deepEqual(response.body.ignoredColumns, ['extra'])
    assert.deepEqual(response.body.rejectedRows, [])
    assert.equal(response.body.encoding, 'utf-8')
    assert.equal(response.body.format, 'csv')
    // The newest timestamp item value, read as Beijing time.
    assert.equal(response.body.lastDataTime, '2026-01-07T02:15:30.000Z')

    const rows = await tableRows(t, id)
    assert.deepEqual(
      rows.map((r) => [r._line, r.uscc, r.org_name, r.legal_rep_id, r.updated_at]),
      [
        [2, '91370700MA3C000001', '潍坊市甲社会组织', '370702199001011234', '2026-01-05T08:30:00'],
        [3, '91370700MA3C000002', '潍坊市乙, 协会', null, '2026-01-06T09:00:00'],
        [4, '91370700MA3C000003', '潍坊市丙基金会', '370702198505052345', '2026-01-07T10:15:30'],
      ],
    )
    const mount = await tableMountOf(t.db, id)
    assert.equal(mount!.rowCount, 3)
    assert.equal(mount!.activeBatchId, response.body.batchId)
    assert.deepEqual(
      mount!.columns.map((c) => [c.column, c.dataType]),
      [
        ['uscc', 'C'],
        ['org_name', 'C'],
        ['legal_rep_id', 'C'],
        ['updated_at', 'T'],
      ],
    )
    const audit = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'result'])
      .where('objectId', '=', id)
      .where('action', '=', 'mounts.table.upload')
      .execute()
    assert.deepEqual(audit, [{ action: 'mounts.table.upload', result: 'success' }])

    // What other modules read.
    const active = await findActiveTableMount(t.db, id)
    assert.equal(active?.tableName, mount!.activeTable)
    assert.match(active!.tableName, /^mounted\.r_[0-9a-f]{32}_1$/)
    assert.equal(active?.rowCount, 3)
    assert.deepEqual([...(await activeMountKinds(t.db, id))], ['table'])

    // Text columns compare as bytes whatever the database's collation (managed-table.ts).
    const [schema, table] = mount!.activeTable!.split('.')
    const collations = await sql<{ column: string; collation: string | null }>`select column_name as column, collation_name as collation
      from information_schema.columns where table_schema = ${schema} and table_name = ${table} order by ordinal_position`.execute(t.db.withoutPlugins())
    assert.deepEqual(
      collations.rows.map((r) => [r.column, r.collation]),
      [
        ['_line', null],
        ['uscc', 'C'],
        ['org_name', 'C'],
        ['legal_rep_id', 'C'],
        ['updated_at', null],
      ],
    )
  })

  test('a UTF-8 CSV with a BOM: the BOM is not part of the first header', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ORGS_CSV, 'utf8')])
    const response = await upload(id, uploadForm(bytes))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.encoding, 'utf-8-bom')
    assert.equal(response.body.columns[0], 'uscc')
    assert.equal((await tableRows(t, id))[0].org_name, '潍坊市甲社会组织')
  })

  test('a GBK CSV with Chinese headers (matched by item name) is detected and decoded', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const text = [
      '统一社会信用代码,组织名称,更新时间',
      '91370700MA3C000011,张三养老服务中心,2026-02-01 12:00:00',
      '91370700MA3C000012,潍坊市李四慈善会,2026-02-02 13:00:00',
    ].join('\r\n')
    const bytes = encodeGbk(text)
    assert.equal(bytes.includes(Buffer.from([0xd5, 0xc5, 0xc8, 0xfd])), true, '张三 is 0xD5C5 0xC8FD in GBK')
    const response = await upload(id, uploadForm(bytes, '社会组织.csv'))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.encoding, 'gbk')
    assert.deepEqual(response.body.columns, ['统一社会信用代码', '组织名称', '更新时间'])
    const rows = await tableRows(t, id)
    assert.deepEqual(
      rows.map((r) => [r._line, r.org_name, r.legal_rep_id]),
      [
        [2, '张三养老服务中心', null],
        [3, '潍坊市李四慈善会', null],
      ],
    )
  })

  test('an XLSX (first sheet) loads, with date cells, numbers and rich text', async () => {
    const id = await createEntry(t, world.tokens.cataloger, { items: ALL_TYPES_ITEMS })
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('数据')
    sheet.addRow(['编码', '姓名', 'num', 'amount', 'birth', 'updated', 'active', 'note', 'cnt', 'score'])
    sheet.addRow([
      'A001',
      { richText: [{ text: '张' }, { text: '三' }] },
      12.5,
      1234.5,
      new Date(Date.UTC(1990, 0, 2)),
      new Date(Date.UTC(2026, 0, 5, 8, 30, 0)),
      true,
      '备注',
      7,
      1.25,
    ])
    sheet.addRow([])
    sheet.addRow(['A002', '李四', { formula: '1+1', result: 2 }, 0.1, 32875, '2026-01-06 09:00:00', '否', null, '8', 2])
    workbook.addWorksheet('其他').addRow(['ignored'])
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer())
    const response = await upload(id, uploadForm(bytes, '数据.xlsx'))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.format, 'xlsx')
    assert.equal(response.body.encoding, 'xlsx')
    assert.equal(response.body.rows, 2)
    const rows = await tableRows(t, id)
    assert.deepEqual(
      rows.map((r) => [r._line, r.code, r.person_name, r.num, r.amount, r.birth, r.updated, r.active, r.note, r.cnt, r.score]),
      [
        [2, 'A001', '张三', 12.5, 1234.5, '1990-01-02', '2026-01-05T08:30:00', true, '备注', 7, 1.25],
        // 32875 is the Excel serial day of 1990-01-02; the blank sheet row 3 is skipped but counted.
        [4, 'A002', '李四', 2, 0.1, '1990-01-02', '2026-01-06T09:00:00', false, null, 8, 2],
      ],
    )
  })

  test('every data type is parsed and checked; skipInvalidRows loads the good rows and lists the bad ones by line and column', async () => {
    const id = await createEntry(t, world.tokens.cataloger, { items: ALL_TYPES_ITEMS })
    const header = 'code,person_name,num,amount,birth,updated,active,note,blob,ratio,cnt,score'
    const lines = [
      header,
      'A001,张三,123.456,"1,234.50",1990/1/2,2026-01-05 08:30:00,是,"多行\n备注",aGVsbG8=,0.5,"1,000",1.5', // lines 2–3
      'A002,李四,-1e3,¥12.3,19900102,2026-01-05T08:30:00Z,false,,,1e-5,42,-2.5', // 4
      'A003,王五五五五,1,1,1990-01-01,,,,,,,', // 5: name longer than 4
      'A004,赵六,abc,,,,,,,,,', // 6
      'A005,,,12345678901234567,,,,,,,,', // 7
      'A006,,,,1990-02-30,,,,,,,', // 8
      'A007,,,,,2026-01-05 25:00:00,,,,,,', // 9
      'A008,,,,,,也许,,,,,', // 10
      'A009,,,,,,,,,,1.5,', // 11
      'A010,,,,,,,,,,,1e39', // 12
      'A011,,,,,,,,,1e400,,', // 13
      ',空编码,,,,,,,,,,', // 14: empty primary key
      'A001,重复,,,,,,,,,,', // 15: duplicate key
      '', // blank line: skipped
      'A012,,,,,,,,,,,,extra', // 17: more cells than the header
    ]
    const response = await upload(id, uploadForm(lines.join('\n'), 'types.csv', { skipInvalidRows: 'true' }))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.rows, 2)
    assert.equal(response.body.rejectedTotal, 12)
    const reasons = Object.fromEntries(response.body.rejectedRows.map((r: { line: number; reason: string }) => [r.line, r.reason]))
    assert.deepEqual(Object.keys(reasons).map(Number), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17])
    assert.match(reasons[5], /「person_name」长度 5 超过 4 个字符/)
    assert.match(reasons[6], /「num」.*不是数值/)
    assert.match(reasons[7], /「amount」.*超出货币型范围/)
    assert.match(reasons[8], /「birth」.*不是有效日期/)
    assert.match(reasons[9], /「updated」.*不是有效日期时间/)
    assert.match(reasons[10], /「active」.*不是逻辑值/)
    assert.match(reasons[11], /「cnt」.*不是整数/)
    assert.match(reasons[12], /「score」.*超出浮点型范围/)
    assert.match(reasons[13], /「ratio」.*超出双精度型范围/)
    assert.match(reasons[14], /「code」是主键，不能为空/)
    assert.match(reasons[15], /「code」主键重复（与第 2 行相同）/)
    assert.match(reasons[17], /多于表头/)

    const rows = await tableRows(t, id)
    assert.deepEqual(
      rows.map((r) => [r._line, r.code]),
      [
        [2, 'A001'],
        [4, 'A002'],
      ],
    )
    const [a, b] = rows
    assert.deepEqual(
      [a.person_name, a.num, a.amount, a.birth, a.updated, a.active, a.note, a.blob, a.ratio, a.cnt, a.score],
      ['张三', 123.456, 1234.5, '1990-01-02', '2026-01-05T08:30:00', true, '多行\n备注', 'aGVsbG8=', 0.5, 1000, 1.5],
    )
    // An explicit UTC offset is converted to Beijing time.
    assert.deepEqual(
      [b.num, b.amount, b.birth, b.updated, b.active, b.note, b.ratio, b.cnt, b.score],
      [-1000, 12.3, '1990-01-02', '2026-01-05T16:30:00', false, null, 0.00001, 42, -2.5],
    )
    const batch = (await batchesOf(t.db, response.body.mountId)).at(-1)!
    assert.equal(batch.rowsRejected, 12)
    assert.equal(batch.rejectedSample.length, 12)
  })

  test('a bad value without skipInvalidRows → 400 listing the lines; nothing is loaded and the previous batch is still served', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const first = await upload(id, uploadForm(ORGS_CSV))
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const before = await tableMountOf(t.db, id)
    const batchesBefore = await batchesOf(t.db, before!.id)

    const bad = [
      'uscc,org_name,updated_at',
      '91370700MA3C000021,好的一行,2026-03-01 10:00:00',
      '91370700MA3C000022,时间不对,2026-13-01 10:00:00',
      '91370700MA3C000023,好的一行,2026-03-01 10:00:00',
      '91370700MA3C0000244,代码太长,2026-03-01 10:00:00',
    ].join('\n')
    const response = await upload(id, uploadForm(bad))
    assertError(response, 400, 'VALIDATION_FAILED')
    assert.match(response.body.error.message, /有 2 行数据不符合/)
    assert.deepEqual(
      response.body.error.details.map((d: { field: string }) => d.field),
      ['第3行.updated_at', '第5行.uscc'],
    )
    assert.match(response.body.error.details[1].message, /长度 19 超过 18 个字符/)

    const after = await tableMountOf(t.db, id)
    assert.equal(after!.activeTable, before!.activeTable)
    assert.equal(after!.activeBatchId, before!.activeBatchId)
    assert.equal(after!.rowCount, 3)
    assert.equal((await tableRows(t, id)).length, 3)
    // A failed request changes nothing: no new batch row, no leftover table.
    assert.deepEqual(await batchesOf(t.db, before!.id), batchesBefore)
    assert.deepEqual(await managedTablesOf(t.db, id), [before!.activeTable!.split('.')[1]])
  })

  test('skipInvalidRows may come after the file in the form', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const csv = ['uscc,org_name', '91370700MA3C000031,甲', ',缺主键', '91370700MA3C000032,乙'].join('\n')
    const response = await upload(id, uploadForm(csv, 'data.csv', { skipInvalidRows: 'true' }, true))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.rows, 2)
    assert.deepEqual(
      response.body.rejectedRows.map((r: { line: number }) => r.line),
      [3],
    )

    // …and skipInvalidRows=false after the file still refuses the whole upload.
    const refused = await upload(id, uploadForm(csv, 'data.csv', { skipInvalidRows: 'false' }, true))
    assertError(refused, 400, 'VALIDATION_FAILED')
    assert.equal((await tableMountOf(t.db, id))!.rowCount, 2)
  })

  test('a duplicate primary key is a rejected row (400 without skipInvalidRows)', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    // The removed duplicate carries the newest time: the batch's data time must not come from it.
    const csv = [
      'uscc,org_name,updated_at',
      '91370700MA3C000041,甲,2026-01-05 08:30:00',
      '91370700MA3C000042,乙,2026/1/6 9:05',
      '91370700MA3C000041,甲又一次,2026-02-01 00:00:00',
    ].join('\n')
    const refused = await upload(id, uploadForm(csv))
    assertError(refused, 400, 'VALIDATION_FAILED')
    assert.deepEqual(refused.body.error.details, [{ field: '第4行.uscc', message: '主键重复（与第 2 行相同）' }])
    assert.equal(await tableMountOf(t.db, id), undefined, 'a failed first upload leaves no mount behind')
    assert.deepEqual(await managedTablesOf(t.db, id), [])

    const skipped = await upload(id, uploadForm(csv, 'data.csv', { skipInvalidRows: 'true' }))
    assert.equal(skipped.status, 201, JSON.stringify(skipped.body))
    assert.equal(skipped.body.rows, 2)
    assert.deepEqual(skipped.body.rejectedRows, [{ line: 4, reason: '「uscc」主键重复（与第 2 行相同）' }])
    assert.deepEqual(
      (await tableRows(t, id)).map((r) => r.org_name),
      ['甲', '乙'],
    )
    assert.equal(skipped.body.lastDataTime, '2026-01-06T01:05:00.000Z')
  })

  test('a header that matches no item → 400; a missing primary-key column → 400', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const none = await upload(id, uploadForm('foo,bar\n1,2\n'))
    assertError(none, 400, 'VALIDATION_FAILED')
    assert.match(none.body.error.message, /表头没有任何一列与信息项对应/)
    const noKey = await upload(id, uploadForm('org_name\n甲\n'))
    assertError(noKey, 400, 'VALIDATION_FAILED')
    assert.match(noKey.body.error.message, /缺少主键/)
    const twice = await upload(id, uploadForm('uscc,统一社会信用代码\n1,1\n'))
    assertError(twice, 400, 'VALIDATION_FAILED')
    const empty = await upload(id, uploadForm(''))
    assertError(empty, 400, 'VALIDATION_FAILED')
    const xls = await upload(id, uploadForm(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), 'old.xls'))
    assertError(xls, 400, 'VALIDATION_FAILED')
    const brokenZip = await upload(id, uploadForm(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]), 'bad.xlsx'))
    assertError(brokenZip, 400, 'VALIDATION_FAILED')
    const unclosed = await upload(id, uploadForm('uscc,org_name\n91370700MA3C000051,"没有闭合\n'))
    assertError(unclosed, 400, 'VALIDATION_FAILED')
    assert.equal(await tableMountOf(t.db, id), undefined)
    assert.deepEqual(await managedTablesOf(t.db, id), [])
  })

  test('items without nameEn: columns are item_<n>; a file matching none of their names → 400', async () => {
    const id = await createEntry(t, world.tokens.cataloger, {
      items: [item('身份证号', undefined, 'C', { length: 18, isPrimaryKey: true }), item('姓名', undefined, 'C'), item('登记日期', 'reg_date', 'D')],
      // Items without an English name cannot be shared as a table (catalog rule), but a table may still be mounted.
      shareModes: ['api'],
    })
    const refused = await upload(id, uploadForm('id_no,name\n1,2\n'))
    assertError(refused, 400, 'VALIDATION_FAILED')
    const response = await upload(id, uploadForm('身份证号,姓名\n370702199001011234,张三\n'))
    assert.equal(response.status, 201, JSON.stringify(response.body))
    const mount = await tableMountOf(t.db, id)
    assert.deepEqual(
      mount!.columns.map((c) => c.column),
      ['item_1', 'item_2', 'reg_date'],
    )
    assert.deepEqual(await tableRows(t, id), [{ _line: 2, item_1: '370702199001011234', item_2: '张三', reg_date: null }])
  })

  test('a re-upload replaces the batch atomically: the old table is kept for restoring and the counts follow', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const first = await upload(id, uploadForm(ORGS_CSV))
    assert.equal(first.status, 201)
    const firstTable = (await tableMountOf(t.db, id))!.activeTable!
    // The new file lacks two items the first one had: a replacement that needs confirmation.
    const second = await upload(id, uploadForm('uscc,org_name\n91370700MA3C000061,新甲\n91370700MA3C000062,新乙\n', 'data.csv', { confirm: 'true' }))
    assert.equal(second.status, 201, JSON.stringify(second.body))
    const mount = await tableMountOf(t.db, id)
    assert.notEqual(mount!.activeTable, firstTable)
    assert.equal(mount!.rowCount, 2)
    assert.equal(mount!.activeBatchId, second.body.batchId)
    // No timestamp value in the new batch: the data time is the upload time.
    assert.equal(second.body.lastDataTime, t.clock.now().toISOString())
    assert.deepEqual(await managedTablesOf(t.db, id), [firstTable.split('.')[1], mount!.activeTable!.split('.')[1]].sort())
    assert.deepEqual(
      (await batchesOf(t.db, mount!.id)).map((b) => [b.id, b.status, b.rowsLoaded]),
      [
        [first.body.batchId, 'replaced', 3],
        [second.body.batchId, 'active', 2],
      ],
    )
    assert.deepEqual(
      (await tableRows(t, id)).map((r) => r.org_name),
      ['新甲', '新乙'],
    )

    const listed = await t.request('GET', `/api/v1/catalog/resources/${id}/mounts`, { token: world.tokens.cataloger })
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    const table = listed.body.items.find((m: { kind: string }) => m.kind === 'table')
    assert.equal(table.rowCount, 2)
    assert.equal(table.live, true)
    assert.equal(table.tableName, mount!.activeTable)
    assert.deepEqual(
      table.batches.map((b: { status: string }) => b.status),
      ['active', 'replaced'],
    )
  })

  test('one load per entry at a time; a load whose loader died is cleaned up by the next upload or by cleanupStaleBatches', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    assert.equal((await upload(id, uploadForm(ORGS_CSV))).status, 201)
    const mount = (await tableMountOf(t.db, id))!
    const hex = id.replaceAll('-', '')
    const fakeLoad = async (n: number, status: 'loading' | 'replaced' = 'loading') => {
      const batchId = randomUUID()
      const tableName = `r_${hex}_${n}`
      await t.db.insertInto('mountBatches').values({ id: batchId, mountId: mount.id, tableName, status, fileName: 'x.csv', rejectedSample: '[]' }).execute()
      await sql`create table ${sql.table(`mounted.${tableName}`)} (_line bigint)`.execute(t.db)
      return { batchId, tableName }
    }

    // A load in progress (in this process): a second upload is refused.
    const running = await fakeLoad(90)
    markLoadLive(running.batchId)
    assertError(await upload(id, uploadForm(ORGS_CSV)), 409, 'CONFLICT')
    // Its loader is gone: the next upload marks it failed, drops its table and goes ahead.
    markLoadDone(running.batchId)
    const next = await upload(id, uploadForm(ORGS_CSV))
    assert.equal(next.status, 201, JSON.stringify(next.body))
    const byId = new Map((await batchesOf(t.db, mount.id)).map((b) => [b.id, b.status]))
    assert.equal(byId.get(running.batchId), 'failed')

    // Start-up repair: a dead 'loading' batch and a replaced batch whose table survived.
    const dead = await fakeLoad(95)
    const survivor = await fakeLoad(96, 'replaced')
    const alive = await fakeLoad(97)
    markLoadLive(alive.batchId)
    try {
      const cleaned = await cleanupStaleBatches(t.db, t.clock.now)
      assert.deepEqual(cleaned.failedBatches, [dead.batchId])
      assert.deepEqual(cleaned.droppedTables.sort(), [dead.tableName, survivor.tableName].sort())
    } finally {
      markLoadDone(alive.batchId)
    }
    const active = (await tableMountOf(t.db, id))!.activeTable!.split('.')[1]
    // The batch the upload replaced is kept for restoring (parameter mounts.restoreDays).
    const kept = mount.activeTable!.split('.')[1]
    assert.deepEqual(await managedTablesOf(t.db, id), [kept, active, alive.tableName].sort())
    assert.equal((await findActiveTableMount(t.db, id))?.rowCount, 3)
    await cleanupStaleBatches(t.db, t.clock.now)
    assert.deepEqual(await managedTablesOf(t.db, id), [kept, active].sort())
  })

  test('requests that are not a proper upload get the error envelope', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const json = await t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: { file: 'x' } })
    assertError(json, 415, 'UNSUPPORTED_MEDIA_TYPE')
    const form = new FormData()
    form.append('skipInvalidRows', 'true')
    const noFile = await t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: form })
    assertError(noFile, 400, 'VALIDATION_FAILED')
    const badFlag = await upload(id, uploadForm(ORGS_CSV, 'a.csv', { skipInvalidRows: 'maybe' }))
    assertError(badFlag, 400, 'VALIDATION_FAILED')
    const badId = await t.request('POST', '/api/v1/catalog/resources/not-a-uuid/mounts/table', { token: world.tokens.cataloger, body: uploadForm(ORGS_CSV) })
    assertError(badId, 400, 'VALIDATION_FAILED')
    // A multipart body cut short (no closing boundary), and one without a boundary at all.
    const boundary = '----govshare-test'
    const cut = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n${ORGS_CSV}`
    for (const contentType of [`multipart/form-data; boundary=${boundary}`, 'multipart/form-data']) {
      for (const path of [uploadTablePath(id), `/api/v1/catalog/resources/${id}/mounts/file`]) {
        const broken = await t.request('POST', path, { token: world.tokens.cataloger, body: cut, headers: { 'content-type': contentType } })
        assertError(broken, 400, 'VALIDATION_FAILED')
      }
    }
    assert.equal(await tableMountOf(t.db, id), undefined)
    assert.deepEqual(await managedTablesOf(t.db, id), [])
  })

  test('a CSV that cannot be read as records → 400 naming the line; nothing is loaded and the previous batch stays', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const first = await upload(id, uploadForm(ORGS_CSV))
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const cases: [string, string, RegExp][] = [
      ['uscc,org_name\n91370700MA3C000041,"甲\n91370700MA3C000042,乙\n', '第2行', /第 2 行附近的引号没有闭合/],
      ['uscc,org_name\n91370700MA3C000041,甲\n91370700MA3C000042,乙"组织\n', '第3行', /第 3 行附近的引号位置不对/],
      ['uscc,org_name\n91370700MA3C000041,"甲"组织\n', '第2行', /第 2 行附近的引号位置不对/],
    ]
    for (const [csv, field, message] of cases) {
      const res = await upload(id, uploadForm(csv, 'bad.csv', { skipInvalidRows: 'true' }))
      assertError(res, 400, 'VALIDATION_FAILED')
      assert.equal(res.body.error.details[0].field, field, csv)
      assert.match(res.body.error.message, message)
    }
    const mount = (await tableMountOf(t.db, id))!
    assert.equal(mount.activeBatchId, first.body.batchId)
    assert.deepEqual(await managedTablesOf(t.db, id), [mount.activeTable!.split('.')[1]])
    assert.deepEqual(
      (await batchesOf(t.db, mount.id)).map((b) => b.status),
      ['active'],
    )
  })
})

describe('mounting files and APIs', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('file uploads are versioned, digested with SM3 and listed without content', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const path = `/api/v1/catalog/resources/${id}/mounts/file`
    const v1 = await t.request('POST', path, { token: world.tokens.cataloger, body: uploadForm('第一版内容', '年报.pdf') })
    assert.equal(v1.status, 201, JSON.stringify(v1.body))
    assert.equal(v1.body.version, 1)
    assert.equal(v1.body.fileName, '年报.pdf')
    assert.equal(v1.body.size, Buffer.byteLength('第一版内容'))
    assert.equal(v1.body.sm3, sm3Hex('第一版内容'))
    const v2 = await t.request('POST', path, { token: world.tokens.cataloger, body: uploadForm('第二版', '年报.pdf') })
    assert.equal(v2.status, 201, JSON.stringify(v2.body))
    assert.equal(v2.body.version, 2)

    const listed = await t.request('GET', `${path}s`, { token: world.tokens.cataloger })
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.deepEqual(
      listed.body.items.map((f: { version: number }) => f.version),
      [2, 1],
    )
    assert.equal('content' in listed.body.items[0], false)

    const latest = await latestFile(t.db, id)
    assert.equal(latest?.version, 2)
    assert.equal(latest?.content.toString('utf8'), '第二版')
    assert.deepEqual([...(await activeMountKinds(t.db, id))], ['file'])

    const tooBig = await t.request('POST', path, { token: world.tokens.cataloger, body: uploadForm(Buffer.alloc(20 * 1024 * 1024 + 1, 1), 'big.bin') })
    assertError(tooBig, 413, 'PAYLOAD_TOO_LARGE')
    const empty = await t.request('POST', path, { token: world.tokens.cataloger, body: uploadForm(Buffer.alloc(0), 'empty.bin') })
    assertError(empty, 400, 'VALIDATION_FAILED')
    const count = await t.db
      .selectFrom('mountFiles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 2, 'refused uploads store nothing')
  })

  test('API registration validates the upstream and hides it from other departments', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const path = `/api/v1/catalog/resources/${id}/mounts/api`
    const register = (body: unknown) => t.request('POST', path, { token: world.tokens.cataloger, body })
    for (const body of [
      {},
      { upstreamUrl: 'ftp://10.1.2.3/data' },
      { upstreamUrl: 'not a url' },
      { upstreamUrl: 'http://user:secret@10.1.2.3/api' },
      { upstreamUrl: 'http://10.1.2.3/api', method: 'PUT' },
      { upstreamUrl: 'http://10.1.2.3/api', timeoutMs: 10 },
      { upstreamUrl: 'http://10.1.2.3/api', params: [{ name: 'a' }, { name: 'a' }] },
      { upstreamUrl: 'http://10.1.2.3/api', params: [{ name: '1 bad' }] },
    ]) {
      assertError(await register(body), 400, 'VALIDATION_FAILED')
    }
    // The upstreams' range is on the security administrator's allow-list (the refusals are in security/).
    assertError(await register({ upstreamUrl: 'https://10.1.2.3:8443/api/orgs' }), 400, 'UPSTREAM_NOT_ALLOWED')
    const listed = await t.request('POST', '/api/v1/security/upstream-hosts', {
      token: world.tokens.secAdmin,
      body: { host: '10.1.2.0/24', note: '测试数据中心' },
    })
    assert.equal(listed.status, 201, JSON.stringify(listed.body))
    const ok = await register({
      upstreamUrl: 'https://10.1.2.3:8443/api/orgs',
      method: 'POST',
      params: [{ name: 'uscc', required: true }, { name: 'page' }],
      timeoutMs: 3000,
    })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
    assert.equal(ok.body.kind, 'api')
    assert.equal(ok.body.upstreamUrl, 'https://10.1.2.3:8443/api/orgs')
    assert.deepEqual(ok.body.params, [
      { name: 'uscc', required: true },
      { name: 'page', required: false },
    ])
    assert.equal(ok.body.timeoutMs, 3000)
    const again = await register({ upstreamUrl: 'http://10.1.2.4/api/orgs' })
    assert.equal(again.status, 201, JSON.stringify(again.body))
    assert.equal(again.body.id, ok.body.id, 're-registering updates the one API mount')
    assert.equal((await findApiMount(t.db, id))?.upstreamUrl, 'http://10.1.2.4/api/orgs')

    // Published, with a table too: other departments see the mounts but no upstream URL or table name.
    assert.equal((await t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: uploadForm(ORGS_CSV) })).status, 201)
    await publishEntry(t, id, world.tokens.cataloger, world.tokens.authAdmin)
    const seenByOther = await t.request('GET', `/api/v1/catalog/resources/${id}/mounts`, { token: world.tokens.requester })
    assert.equal(seenByOther.status, 200, JSON.stringify(seenByOther.body))
    const text = JSON.stringify(seenByOther.body)
    assert.equal(text.includes('10.1.2.4'), false, text)
    assert.equal(text.includes('mounted.'), false, text)
    assert.equal(text.includes('r_'), false, text)
    assert.deepEqual(
      seenByOther.body.items.map((m: { kind: string; live: boolean }) => [m.kind, m.live]),
      [
        ['api', true],
        ['table', true],
      ],
    )
    const seenByAuthority = await t.request('GET', `/api/v1/catalog/resources/${id}/mounts`, { token: world.tokens.authAdmin })
    assert.equal(seenByAuthority.body.items.find((m: { kind: string }) => m.kind === 'api').upstreamUrl, 'http://10.1.2.4/api/orgs')
    assert.deepEqual([...(await activeMountKinds(t.db, id))].sort(), ['api', 'table'])
  })
})

describe('who may mount', () => {
  let t: TestApp
  let world: World
  let draftId: string
  let publishedId: string
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    draftId = await createEntry(t, world.tokens.cataloger)
    publishedId = await createEntry(t, world.tokens.cataloger)
    assert.equal((await t.request('POST', uploadTablePath(publishedId), { token: world.tokens.cataloger, body: uploadForm(ORGS_CSV) })).status, 201)
    await publishEntry(t, publishedId, world.tokens.cataloger, world.tokens.authAdmin)
  })
  after(() => t.close())

  const commands = (id: string) =>
    [
      ['POST', uploadTablePath(id), () => uploadForm(ORGS_CSV)],
      ['POST', `/api/v1/catalog/resources/${id}/mounts/file`, () => uploadForm('x', 'a.txt')],
      ['POST', `/api/v1/catalog/resources/${id}/mounts/api`, () => ({ upstreamUrl: 'http://10.0.0.1/x' })],
    ] as const

  test('anonymous → 401 on every mounts endpoint', async () => {
    for (const [method, path, body] of commands(draftId)) assertError(await t.request(method, path, { body: body() }), 401, 'UNAUTHENTICATED')
    assertError(await t.request('GET', `/api/v1/catalog/resources/${draftId}/mounts`), 401, 'UNAUTHENTICATED')
  })

  test('a role that cannot mount → 403; another department → 404 for a draft, 403 for a published entry', async () => {
    for (const [method, path, body] of commands(draftId)) {
      assertError(await t.request(method, path, { token: world.tokens.deptAdmin, body: body() }), 403, 'FORBIDDEN')
      assertError(await t.request(method, path, { token: world.tokens.authAdmin, body: body() }), 403, 'FORBIDDEN')
      assertError(await t.request(method, path, { token: world.tokens.catalogerB, body: body() }), 404, 'NOT_FOUND')
    }
    for (const [method, path, body] of commands(publishedId)) {
      assertError(await t.request(method, path, { token: world.tokens.catalogerB, body: body() }), 403, 'FORBIDDEN')
    }
    assertError(await t.request('GET', `/api/v1/catalog/resources/${draftId}/mounts`, { token: world.tokens.requester }), 404, 'NOT_FOUND')
    assertError(await t.request('GET', `/api/v1/catalog/resources/${draftId}/mounts/files`, { token: world.tokens.requester }), 404, 'NOT_FOUND')
    const seen = await t.request('GET', `/api/v1/catalog/resources/${publishedId}/mounts`, { token: world.tokens.requester })
    assert.equal(seen.status, 200, JSON.stringify(seen.body))
    assert.equal(seen.body.items[0].rowCount, 3)
    // Nothing changed for the published entry, and refusals were audited as denied.
    assert.equal((await tableMountOf(t.db, publishedId))!.rowCount, 3)
    assert.equal(await tableMountOf(t.db, draftId), undefined)
    const denied = await t.db.selectFrom('auditEvents').select('action').where('result', '=', 'denied').where('objectId', '=', publishedId).execute()
    assert.ok(
      denied.some((d) => d.action === 'mounts.table.upload'),
      JSON.stringify(denied),
    )
  })

  test('the owner mounts on a published entry too (a new batch replaces the one consumers read)', async () => {
    const response = await t.request('POST', uploadTablePath(publishedId), {
      token: world.tokens.cataloger,
      body: uploadForm('uscc,org_name\n91370700MA3C000071,更新后\n', 'data.csv', { confirm: 'true' }),
    })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal((await findActiveTableMount(t.db, publishedId))?.rowCount, 1)
  })
})
