import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { UPLOAD_LIMITS } from '../../../../common/limits.ts'
import { uploadBudget } from '../../platform/uploads/memory-budget.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { zipOf } from '../../testing/zip.ts'
import { type HostileFile, baseWorkbook, farColumnWorkbook, hostileCsvs, hostileWorkbooks } from './hostile-files.ts'
import { assertError, createEntry, tableMountOf, uploadForm, uploadTablePath } from './test-helpers.ts'

const MB = 1024 * 1024
// A small budget, so the tests can fill it; uploads wait for it a short while.
const BUDGET = 96 * MB
const WAIT_MS = 300

describe('hostile uploads are refused with 400/413 and the server keeps serving', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  let base: Map<string, Buffer>
  before(async () => {
    t = await buildTestApp({ config: { uploadMemoryBytes: BUDGET, uploadWaitMs: WAIT_MS } })
    world = await buildWorld(t.db)
    base = await baseWorkbook()
  })
  after(() => t.close())

  async function assertRefused(path: string, file: HostileFile) {
    const response = await t.request('POST', path, { token: world.tokens.cataloger, body: uploadForm(file.bytes, file.fileName) })
    assertError(response, file.status, file.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED')
    assert.match(response.body.error.message, file.message, `${file.name}: ${response.body.error.message}`)
    const health = await t.request('GET', '/api/health')
    assert.equal(health.status, 200, `${file.name}: the server stopped answering`)
  }

  test('every hostile workbook and CSV, as a table mount: refused, nothing mounted, the budget given back', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const files = [...hostileWorkbooks(base, UPLOAD_LIMITS.xlsxInflatedBytes), farColumnWorkbook(base), ...hostileCsvs()]
    for (const file of files) {
      await assertRefused(uploadTablePath(id), file)
      assert.equal(await tableMountOf(t.db, id), undefined, file.name)
      assert.equal(uploadBudget(t.config).used, 0, `${file.name}: budget not released`)
    }
    // The same entry still takes a good workbook.
    const good = await t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: uploadForm(zipOf(base), 'good.xlsx') })
    assert.equal(good.status, 201, JSON.stringify(good.body))
    assert.equal(good.body.rows, 1)
  })

  test('every hostile workbook, as a catalog import: refused, nothing created', async () => {
    const entries = () => t.db.selectFrom('resources').select('id').where('providerOrgId', '=', world.deptA.id).execute()
    const before = (await entries()).length
    for (const file of hostileWorkbooks(base, UPLOAD_LIMITS.catalogInflatedBytes)) {
      await assertRefused('/api/v1/catalog/import', file)
      assert.equal((await entries()).length, before, `${file.name}: a draft was created`)
    }
  })

  test('while other uploads hold the memory budget, a CSV, a workbook import and a file wait briefly, then get 503 UPLOAD_BUSY with Retry-After', async () => {
    const id = await createEntry(t, world.tokens.cataloger, { name: '预算测试目录' })
    const hog = uploadBudget(t.config).lease()
    await hog.reserve(BUDGET - MB / 2)
    try {
      const csv = await t.request('POST', uploadTablePath(id), {
        token: world.tokens.cataloger,
        body: uploadForm(`${'uscc,org_name'}\n913707000000000001,甲\n`),
      })
      assertError(csv, 503, 'UPLOAD_BUSY')
      assert.equal(csv.headers.get('retry-after'), '1')
      const imported = await t.request('POST', '/api/v1/catalog/import', { token: world.tokens.cataloger, body: uploadForm(zipOf(base), 'a.xlsx') })
      assertError(imported, 503, 'UPLOAD_BUSY')
      const file = await t.request('POST', `/api/v1/catalog/resources/${id}/mounts/file`, {
        token: world.tokens.cataloger,
        body: uploadForm(Buffer.alloc(2 * MB, 1), 'a.bin'),
      })
      assertError(file, 503, 'UPLOAD_BUSY')
      assert.equal(await tableMountOf(t.db, id), undefined)
    } finally {
      hog.release()
    }
    // A waiting upload is served as soon as the budget frees up within its wait.
    const waiter = uploadBudget(t.config).lease()
    await waiter.reserve(BUDGET - MB / 2)
    setTimeout(() => waiter.release(), WAIT_MS / 3)
    const file = await t.request('POST', `/api/v1/catalog/resources/${id}/mounts/file`, {
      token: world.tokens.cataloger,
      body: uploadForm(Buffer.alloc(2 * MB, 1), 'a.bin'),
    })
    assert.equal(file.status, 201, JSON.stringify(file.body))
    assert.equal(uploadBudget(t.config).used, 0)
  })

  test('a workbook whose shared strings alone would need more than the whole budget gets 413 at once', async () => {
    const id = await createEntry(t, world.tokens.cataloger, { name: '大共享字符串目录' })
    // 40 MB of distinct strings: within the shared-string limits, but ~80 MB as UTF-16 plus the working set.
    const items: string[] = []
    for (let i = 0, size = 0; size < 40 * MB; i++) {
      const item = `<si><t>潍坊市测试社会组织第${i}号</t></si>`
      items.push(item)
      size += Buffer.byteLength(item)
    }
    const shared = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items.join('')}</sst>`,
    )
    const bytes = zipOf(new Map(base).set('xl/sharedStrings.xml', shared))
    const response = await t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: uploadForm(bytes, 'big.xlsx') })
    assertError(response, 413, 'PAYLOAD_TOO_LARGE')
    assert.match(response.body.error.message, /超出服务器处理上传的上限 96 MB/)
    assert.equal(uploadBudget(t.config).used, 0)
  })
})
