import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type World, worldAt } from '../../reliability/fixtures.ts'
import { type Server, http, scratchDatabase, startServer, stopServer } from '../../reliability/harness.ts'
import { resourceBody } from '../../testing/factories.ts'
import { zipOf } from '../../testing/zip.ts'
import { baseWorkbook, hostileWorkbooks } from './hostile-files.ts'
import { uploadTablePath } from './test-helpers.ts'

const MB = 1024 * 1024
const HEAP_MB = 256
// The server's peak resident memory while both hostile uploads run, over its resident memory just before.
const GROWTH_BOUND_MB = 150

/** VmRSS / VmHWM of a process, in MB (0 once it has exited). */
function memoryOf(pid: number) {
  let status = ''
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    // The process is gone (the assertions below say so).
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/**
 * "A 2–5 MB XLSX with huge shared strings" (issue 13 §5): 300 MB of shared strings in a small zip.
 * Read as exceljs reads it, that is 300 MB of strings in a heap of 256 MB.
 */
function hugeSharedStrings(base: Map<string, Buffer>) {
  const item = Buffer.from(`<si><t>${'潍坊市测试社会组织'.repeat(37)}</t></si>`)
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
  const body = Buffer.alloc(Math.floor((300 * MB) / item.length) * item.length, item)
  return zipOf(new Map(base).set('xl/sharedStrings.xml', Buffer.concat([head, body, Buffer.from('</sst>')])))
}

/**
 * The server as its own process with a bounded heap: two hostile workbooks uploaded at once are both
 * refused, the process keeps serving, and its memory stays bounded. On both databases.
 */
describe(`two hostile uploads at once against a server with a ${HEAP_MB} MB heap`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'govshare-upload-memory-'))
  let database: Awaited<ReturnType<typeof scratchDatabase>>
  let world: World
  let server: Server
  before(async () => {
    database = await scratchDatabase(scratch)
    const direct = await database.open()
    world = await worldAt(direct.db, new Date())
    await direct.close()
    server = await startServer({ ...database.env(), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${HEAP_MB}` })
  })
  after(async () => {
    if (server) await stopServer(server, 'SIGKILL')
    await database?.drop()
    rmSync(scratch, { recursive: true, force: true })
  })

  test('both are refused (413), /api/health answers, and the peak RSS stays within the bound', async (ctx) => {
    const base = await baseWorkbook()
    const many = hostileWorkbooks(base, 0).find((f) => f.name === 'many-shared-strings')!
    const huge = hugeSharedStrings(base)
    const created = await http(server.baseUrl, 'POST', '/api/v1/catalog/resources', { token: world.tokens.cataloger, body: resourceBody() })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const path = uploadTablePath(created.body.id)
    const form = (bytes: Buffer, name: string) => {
      const data = new FormData()
      data.append('file', new Blob([bytes]), name)
      return data
    }

    const pid = server.child.pid!
    const before = memoryOf(pid)
    let peak = before.rss
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(pid).rss)), 10)
    let results: Awaited<ReturnType<typeof http>>[]
    try {
      results = await Promise.all([
        http(server.baseUrl, 'POST', path, { token: world.tokens.cataloger, form: form(huge, 'huge-shared-strings.xlsx') }),
        http(server.baseUrl, 'POST', path, { token: world.tokens.cataloger, form: form(many.bytes, 'many-shared-strings.xlsx') }),
      ])
    } finally {
      clearInterval(sampler)
    }
    const health = await http(server.baseUrl, 'GET', '/api/health')
    const after = memoryOf(pid)
    ctx.diagnostic(
      `${database.kind}: files ${(huge.length / MB).toFixed(1)} MB and ${(many.bytes.length / MB).toFixed(1)} MB; ` +
        `RSS before ${before.rss.toFixed(0)} MB, peak sampled ${peak.toFixed(0)} MB (+${(peak - before.rss).toFixed(0)} MB), VmHWM ${after.hwm.toFixed(0)} MB (before ${before.hwm.toFixed(0)} MB)`,
    )
    assert.deepEqual(
      results.map((r) => [r.status, r.body?.error?.code]),
      [
        [413, 'PAYLOAD_TOO_LARGE'],
        [413, 'PAYLOAD_TOO_LARGE'],
      ],
      JSON.stringify(results.map((r) => r.body)).slice(0, 1000),
    )
    assert.match(results[0].body.error.message, /共享字符串表解压后超过/)
    assert.match(results[1].body.error.message, /共享字符串超过 1000000 个/)
    assert.equal(health.status, 200, 'the server stopped answering')
    assert.equal(server.child.exitCode, null, 'the server exited')
    assert.ok(peak - before.rss < GROWTH_BOUND_MB, `RSS grew by ${(peak - before.rss).toFixed(0)} MB`)
    assert.ok(after.hwm - before.rss < GROWTH_BOUND_MB, `VmHWM ${after.hwm.toFixed(0)} MB vs ${before.rss.toFixed(0)} MB before`)
  })
})
