import assert from 'node:assert/strict'
import { TextDecoder } from 'node:util'
import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import type { ApiResponse, TestApp } from '../../testing/test-app.ts'
import { resourceBody } from '../../testing/factories.ts'
import type { CreateResourceBody } from '../catalog/schemas.ts'

/** Shared by the mounts tests (not a test file itself). */

let gbkTable: Map<string, Buffer> | undefined

/**
 * GBK bytes for a string. Node decodes GBK but has no encoder, so the table is built by decoding
 * every two-byte GBK code once (lead 0x81–0xFE, trail 0x40–0xFE except 0x7F).
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map()
    const decoder = new TextDecoder('gbk')
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue
        const bytes = Buffer.from([lead, trail])
        const char = decoder.decode(bytes)
        if (char.length === 1 && char !== '\ufffd' && !gbkTable.has(char)) gbkTable.set(char, bytes)
      }
    }
  }
  const parts: Buffer[] = []
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) parts.push(Buffer.from(char, 'latin1'))
    else {
      const bytes = gbkTable.get(char)
      if (!bytes) throw new Error(`no GBK code for ${char}`)
      parts.push(bytes)
    }
  }
  return Buffer.concat(parts)
}

/** A multipart form with `file` (and optional extra fields, before or after the file). */
export function uploadForm(content: Buffer | string | Uint8Array, fileName = 'data.csv', fields: Record<string, string> = {}, fieldsAfterFile = false) {
  const form = new FormData()
  const addFields = () => Object.entries(fields).forEach(([k, v]) => form.append(k, v))
  if (!fieldsAfterFile) addFields()
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  form.append('file', new Blob([bytes]), fileName)
  if (fieldsAfterFile) addFields()
  return form
}

/** Items of every data type, with a primary key and a timestamp item. */
export const ALL_TYPES_ITEMS: CreateResourceBody['items'] = [
  item('编码', 'code', 'C', { length: 10, isPrimaryKey: true }),
  item('姓名', 'person_name', 'C', { length: 4 }),
  item('数值', 'num', 'N'),
  item('金额', 'amount', 'Y'),
  item('出生日期', 'birth', 'D'),
  item('更新时间', 'updated', 'T', { isTimestamp: true }),
  item('是否有效', 'active', 'L'),
  item('备注', 'note', 'M'),
  item('附件', 'blob', 'G'),
  item('比率', 'ratio', 'B'),
  item('人数', 'cnt', 'I'),
  item('得分', 'score', 'F'),
]

export function item(
  name: string,
  nameEn: string | undefined,
  dataType: CreateResourceBody['items'][number]['dataType'],
  extra: Partial<CreateResourceBody['items'][number]> = {},
) {
  return {
    name,
    ...(nameEn ? { nameEn } : {}),
    dataType,
    ...(dataType === 'C' && !extra.length ? { length: 50 } : {}),
    shareType: 1 as const,
    sensitive: false,
    piCategory: 'none' as const,
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
    ...extra,
  }
}

/** Creates a draft entry as `token`'s department and returns its id. */
export async function createEntry(t: TestApp, token: string, overrides: Partial<CreateResourceBody> = {}): Promise<string> {
  const created = await t.request('POST', '/api/v1/catalog/resources', { token, body: resourceBody(overrides) })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  return created.body.id
}

export async function publishEntry(t: TestApp, id: string, catalogerToken: string, authorityToken: string) {
  const submitted = await t.request('POST', `/api/v1/catalog/resources/${id}/submit`, { token: catalogerToken })
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
  const reviewed = await t.request('POST', `/api/v1/catalog/resources/${id}/review`, { token: authorityToken, body: { decision: 'approve' } })
  assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body))
}

export const uploadTablePath = (id: string) => `/api/v1/catalog/resources/${id}/mounts/table`

const CJK = /[\u3400-\u9fff]/

/** Asserts an API.md error envelope with the code and a Chinese message. */
export function assertError(response: ApiResponse, status: number, code: string) {
  assert.equal(response.status, status, JSON.stringify(response.body))
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body))
  assert.match(response.body.error.message, CJK, `message not Chinese: ${response.body.error.message}`)
  for (const detail of response.body.error.details ?? []) {
    assert.equal(typeof detail.field, 'string')
    assert.match(detail.message, CJK, `detail not Chinese: ${JSON.stringify(detail)}`)
  }
}

/** The table mount row of a resource (or undefined). */
export const tableMountOf = (db: Executor, resourceId: string) =>
  db.selectFrom('mounts').selectAll().where('resourceId', '=', resourceId).where('kind', '=', 'table').executeTakeFirst()

/** Rows of the resource's active managed table, in file order. */
export async function activeRows(db: Executor, resourceId: string): Promise<Record<string, unknown>[]> {
  const mount = await tableMountOf(db, resourceId)
  assert.ok(mount?.activeTable, 'no active table')
  // Without CamelCasePlugin: keys are the managed table's own column names.
  const result = await sql<Record<string, unknown>>`select * from ${sql.table(mount.activeTable)} order by _line`.execute(db.withoutPlugins())
  return result.rows
}

/** Whether any rows of the resource's active batch went to PostgreSQL as the file's CSV text: only that path moves _line's identity. */
export async function passedThrough(db: Executor, resourceId: string): Promise<boolean> {
  const table = (await tableMountOf(db, resourceId))!.activeTable!
  const sequence = await sql<{ name: string }>`select pg_get_serial_sequence(${table}, '_line') as name`.execute(db)
  const state = await sql<{ called: boolean }>`select is_called as called from ${sql.table(sequence.rows[0].name)}`.execute(db)
  return state.rows[0].called
}

/** Managed tables that exist for a resource. */
export async function managedTablesOf(db: Executor, resourceId: string): Promise<string[]> {
  const prefix = `r_${resourceId.replaceAll('-', '')}_`
  const result = await sql<{
    name: string
  }>`select tablename as name from pg_tables where schemaname = 'mounted' and tablename like ${`${prefix}%`} order by tablename`.execute(db)
  return result.rows.map((r) => r.name)
}

/** A mount's batches in load order (the test clock does not move, so by table number). */
export const batchesOf = (db: Executor, mountId: string) =>
  db.selectFrom('mountBatches').selectAll().where('mountId', '=', mountId).orderBy(sql`substring(table_name from '_([0-9]+)$')::int`).execute()

/**
 * A request body pulled from a generator one chunk at a time (Readable.toWeb on Node 20 reads
 * its source ahead without backpressure, which would buffer a "streamed" upload in the client).
 */
export function pullStream(chunks: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      async cancel() {
        await iterator.return?.()
      },
    },
    { highWaterMark: 1 },
  )
}
