import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld, refreshTokens } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { cleanupStaleBatches } from './index.ts'
import { activeRows, assertError, batchesOf, createEntry, managedTablesOf, publishEntry, tableMountOf, uploadForm, uploadTablePath } from './test-helpers.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

/** Rows of uscc,org_name,legal_rep_id,updated_at (the default test entry's items), numbered from `from`. */
function orgsCsv(count: number, from = 1, columns = 'uscc,org_name,legal_rep_id,updated_at,extra') {
  const lines = [columns]
  for (let i = from; i < from + count; i++) {
    const uscc = `91370700MA3C${String(i).padStart(6, '0')}`
    const full = [uscc, `潍坊市组织${i}`, '370702199001011234', '2026-01-05 08:30:00', 'x']
    lines.push(full.slice(0, columns.split(',').length).join(','))
  }
  return lines.join('\n')
}

const restorePath = (id: string) => `/api/v1/catalog/resources/${id}/mounts/table/restore`
const DAY_MINUTES = 24 * 60

describe('safe table replacement: preview, confirmation, restore', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const upload = (id: string, csv: string, fields: Record<string, string> = {}, token = world.tokens.cataloger) =>
    t.request('POST', uploadTablePath(id), { token, body: uploadForm(csv, 'data.csv', fields) })
  const state = async (id: string) => {
    const mount = await tableMountOf(t.db, id)
    return {
      activeBatchId: mount?.activeBatchId,
      rowCount: mount?.rowCount,
      tables: await managedTablesOf(t.db, id),
      batches: mount ? (await batchesOf(t.db, mount.id)).map((b) => [b.id, b.status]) : [],
    }
  }

  test('a dry run previews the replacement and changes nothing', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    // The first load: nothing to compare with.
    const first = await upload(id, orgsCsv(10), { dryRun: 'true' })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.rows, 0)
    assert.deepEqual(
      { ...first.body.preview, missingItems: undefined },
      {
        rowsBefore: null,
        rowsAfter: 10,
        changePercent: null,
        missingItems: undefined,
        ignoredColumns: ['extra'],
        rejectedTotal: 0,
        confirmationRequired: false,
        reasons: [],
      },
    )
    assert.equal(await tableMountOf(t.db, id), undefined, 'a dry run on a new entry leaves no mount')
    assert.deepEqual(await managedTablesOf(t.db, id), [])

    assert.equal((await upload(id, orgsCsv(10))).status, 201)
    const before = await state(id)
    // 8 of 10 rows, without the 更新时间 column the current batch had.
    const preview = await upload(id, orgsCsv(8, 1, 'uscc,org_name,legal_rep_id,note'), { dryRun: 'true' })
    assert.equal(preview.status, 200, JSON.stringify(preview.body))
    const p = preview.body.preview
    assert.equal(p.rowsBefore, 10)
    assert.equal(p.rowsAfter, 8)
    assert.equal(p.changePercent, -20)
    assert.deepEqual(
      p.missingItems.map((m: { name: string; required: boolean; hadBefore: boolean }) => [m.name, m.required, m.hadBefore]),
      [['更新时间', false, true]],
    )
    assert.deepEqual(p.ignoredColumns, ['note'])
    assert.equal(p.confirmationRequired, true)
    assert.match(p.reasons.join(), /「更新时间」/)
    assert.deepEqual(await state(id), before, 'a dry run changes nothing')
  })

  test('a file without a required item (primary key or basic item) → 400 naming it; nothing changes', async () => {
    const id = await createEntry(t, world.tokens.cataloger, {
      items: [
        {
          name: '统一社会信用代码',
          nameEn: 'uscc',
          dataType: 'C',
          length: 18,
          shareType: 1,
          sensitive: false,
          piCategory: 'none',
          secret: false,
          isPrimaryKey: true,
          isTimestamp: false,
          basicItem: true,
        },
        {
          name: '组织名称',
          nameEn: 'org_name',
          dataType: 'C',
          length: 200,
          shareType: 1,
          sensitive: false,
          piCategory: 'none',
          secret: false,
          isPrimaryKey: false,
          isTimestamp: false,
          basicItem: true,
        },
        {
          name: '备注',
          nameEn: 'remark',
          dataType: 'C',
          length: 200,
          shareType: 1,
          sensitive: false,
          piCategory: 'none',
          secret: false,
          isPrimaryKey: false,
          isTimestamp: false,
          basicItem: false,
        },
      ],
    })
    assert.equal((await upload(id, orgsCsv(3, 1, 'uscc,org_name'))).status, 201)
    const before = await state(id)
    for (const fields of [{}, { dryRun: 'true' }, { confirm: 'true' }] as Record<string, string>[]) {
      const refused = await upload(id, orgsCsv(3, 1, 'uscc,remark'), fields)
      assertError(refused, 400, 'VALIDATION_FAILED')
      assert.match(refused.body.error.message, /「组织名称」（org_name）/)
      assert.deepEqual(await state(id), before)
    }
    // An optional item may be missing: it loads as empty.
    assert.equal((await upload(id, orgsCsv(3, 1, 'uscc,org_name'))).status, 201)
  })

  test('a swing over 50 % is refused with CONFIRMATION_REQUIRED and the preview; nothing changes; confirm=true commits', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    assert.equal((await upload(id, orgsCsv(10))).status, 201)
    const before = await state(id)
    for (const [count, percent] of [
      [4, -60],
      [16, 60],
    ] as const) {
      const refused = await upload(id, orgsCsv(count))
      assertError(refused, 409, 'CONFIRMATION_REQUIRED')
      const preview = refused.body.error.details[0].preview
      assert.equal(preview.rowsBefore, 10)
      assert.equal(preview.rowsAfter, count)
      assert.equal(preview.changePercent, percent)
      assert.equal(preview.confirmationRequired, true)
      assert.match(refused.body.error.message, new RegExp(`从 10 行变为 ${count} 行`))
      assert.deepEqual(await state(id), before, 'nothing committed, no table or batch left behind')
      assert.deepEqual(
        await t.db
          .selectFrom('auditEvents')
          .select('id')
          .where('action', '=', 'mounts.table.upload')
          .where('objectId', '=', id)
          .where('result', '=', 'success')
          .execute()
          .then((r) => r.length),
        1,
      )
    }
    // Exactly 50 % is not over the limit.
    assert.equal((await upload(id, orgsCsv(15))).status, 201)
    const confirmed = await upload(id, orgsCsv(3), { confirm: 'true' })
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body))
    assert.equal((await tableMountOf(t.db, id))!.rowCount, 3)
  })

  test('the previous batch is kept and restored by its department, audited; a restore can be undone', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const first = await upload(id, orgsCsv(10))
    assert.equal(first.status, 201)
    assertError(await t.request('POST', restorePath(id), { token: world.tokens.cataloger }), 409, 'INVALID_STATE')
    const second = await upload(id, orgsCsv(2, 100), { confirm: 'true' })
    assert.equal(second.status, 201, JSON.stringify(second.body))
    const listed = await t.request('GET', `/api/v1/catalog/resources/${id}/mounts`, { token: world.tokens.cataloger })
    const table = listed.body.items.find((m: { kind: string }) => m.kind === 'table')
    assert.equal(table.restorable.batchId, first.body.batchId)
    assert.equal(table.restorable.rows, 10)
    assert.equal(new Date(table.restorable.until).getTime() - t.clock.now().getTime(), 7 * 86_400_000)

    const restored = await t.request('POST', restorePath(id), { token: world.tokens.cataloger })
    assert.equal(restored.status, 200, JSON.stringify(restored.body))
    assert.equal(restored.body.activeBatchId, first.body.batchId)
    assert.equal(restored.body.rowCount, 10)
    assert.equal(restored.body.restorable.batchId, second.body.batchId)
    assert.equal((await activeRows(t.db, id)).length, 10)
    const audit = await t.db.selectFrom('auditEvents').selectAll().where('action', '=', 'mounts.table.restore').where('objectId', '=', id).execute()
    assert.equal(audit.length, 1)
    assert.equal(audit[0].result, 'success')
    assert.equal(audit[0].detail.batchId, first.body.batchId)
    assert.equal(audit[0].detail.replacedBatchId, second.body.batchId)

    // The department's administrator may restore too: back to the second batch.
    const undone = await t.request('POST', restorePath(id), { token: world.tokens.deptAdmin })
    assert.equal(undone.status, 200, JSON.stringify(undone.body))
    assert.equal(undone.body.activeBatchId, second.body.batchId)
    assert.deepEqual(
      (await activeRows(t.db, id)).map((r) => r.uscc),
      ['91370700MA3C000100', '91370700MA3C000101'],
    )

    // A third upload keeps only the one it replaced: the first batch's table goes.
    assert.equal((await upload(id, orgsCsv(2, 200))).status, 201)
    const mount = (await tableMountOf(t.db, id))!
    const batches = await batchesOf(t.db, mount.id)
    assert.deepEqual(
      await managedTablesOf(t.db, id),
      batches
        .filter((b) => b.id !== first.body.batchId)
        .map((b) => b.tableName)
        .sort(),
    )
  })

  test('after the period (parameter mounts.restoreDays) restore is refused and the kept table is purged', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const first = await upload(id, orgsCsv(10))
    assert.equal((await upload(id, orgsCsv(10, 50))).status, 201)
    const keptTable = (await batchesOf(t.db, (await tableMountOf(t.db, id))!.id)).find((b) => b.id === first.body.batchId)!.tableName
    t.clock.advanceMinutes(8 * DAY_MINUTES)
    await refreshTokens(t.db, world, t.clock.now())
    assertError(await t.request('POST', restorePath(id), { token: world.tokens.cataloger }), 409, 'INVALID_STATE')
    // The city sets a longer period: the same batch may be restored again.
    await t.db
      .insertInto('parameters')
      .values({ key: 'mounts.restoreDays', value: JSON.stringify(14), updatedBy: null })
      .execute()
    try {
      assert.equal((await cleanupStaleBatches(t.db, t.clock.now)).droppedTables.includes(keptTable), false)
      const restored = await t.request('POST', restorePath(id), { token: world.tokens.cataloger })
      assert.equal(restored.status, 200, JSON.stringify(restored.body))
      assert.equal(restored.body.activeBatchId, first.body.batchId)
    } finally {
      await t.db.deleteFrom('parameters').where('key', '=', 'mounts.restoreDays').execute()
    }
    // Default period again; 8 days on, the batch replaced by the restore has expired and is purged.
    t.clock.advanceMinutes(8 * DAY_MINUTES)
    await refreshTokens(t.db, world, t.clock.now())
    const mount = (await tableMountOf(t.db, id))!
    const replaced = (await batchesOf(t.db, mount.id)).find((b) => b.status === 'replaced' && b.replacedAt)!
    assert.ok((await cleanupStaleBatches(t.db, t.clock.now)).droppedTables.includes(replaced.tableName))
    assert.deepEqual(await managedTablesOf(t.db, id), [mount.activeTable!.split('.')[1]])
    assertError(await t.request('POST', restorePath(id), { token: world.tokens.cataloger }), 409, 'INVALID_STATE')
    assert.equal((await activeRows(t.db, id)).length, 10)
  })

  test('other departments: 404 for a draft, 403 for a published entry; other roles 403; refusals audited, nothing changes', async () => {
    const draftId = await createEntry(t, world.tokens.cataloger)
    const publishedId = await createEntry(t, world.tokens.cataloger)
    for (const id of [draftId, publishedId]) {
      assert.equal((await upload(id, orgsCsv(4))).status, 201)
      assert.equal((await upload(id, orgsCsv(4, 10))).status, 201)
    }
    await publishEntry(t, publishedId, world.tokens.cataloger, world.tokens.authAdmin)
    const before = await state(publishedId)
    assertError(await t.request('POST', restorePath(draftId), { token: world.tokens.catalogerB }), 404, 'NOT_FOUND')
    assertError(await t.request('POST', restorePath(publishedId), { token: world.tokens.catalogerB }), 403, 'FORBIDDEN')
    assertError(await t.request('POST', restorePath(publishedId), { token: world.tokens.approver }), 403, 'FORBIDDEN')
    assertError(await t.request('POST', restorePath(publishedId), { token: world.tokens.authAdmin }), 403, 'FORBIDDEN')
    assertError(await t.request('POST', restorePath(publishedId)), 401, 'UNAUTHENTICATED')
    assert.deepEqual(await state(publishedId), before)
    // Denials are written beside the response, not before it: wait for the three refused callers (the role
    // check refuses two before the entry is loaded, so only the department check names the entry).
    const deniedActors = async () =>
      (await t.db.selectFrom('auditEvents').select('actorId').where('result', '=', 'denied').where('action', '=', 'mounts.table.restore').execute()).map(
        (e) => e.actorId,
      )
    // catalogerB is refused twice: the draft it may not see (404) and the published entry (403).
    for (let i = 0; i < 100 && (await deniedActors()).length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal((await deniedActors()).length, 4)
    assert.deepEqual([...new Set(await deniedActors())].sort(), [world.users.catalogerB.id, world.users.approver.id, world.users.authAdmin.id].sort())
    // Other departments never see whether a batch is kept.
    const seen = await t.request('GET', `/api/v1/catalog/resources/${publishedId}/mounts`, { token: world.tokens.requester })
    assert.equal(seen.body.items[0].restorable, undefined)
  })
})
