import { sql } from 'kysely'
import type { Db, Executor, Trx } from '../db/database.ts'
import { sm3Hex } from '../crypto/sm3.ts'
import { beijingMonthStart } from '../calendar/dates.ts'

export const GENESIS_HASH = '0'.repeat(64)
// Serializes appends across every process sharing the database, so the chain has one order (the same
// number is written in migrations 0013 and 0018).
export const AUDIT_CHAIN_LOCK_KEY = 7_370_701

export interface AuditEventInput {
  action: string
  result?: 'success' | 'denied' | 'error'
  objectType?: string | null
  objectId?: string | null
  grantId?: string | null
  appId?: string | null
  detail?: Record<string, unknown>
}

/** Who and where, taken from the request (or a job). */
export interface AuditSource {
  actorId: string | null
  orgId: string | null
  roles: readonly string[]
  ip: string | null
  requestId: string | null
  at: Date
}

export interface ChainedFields {
  at: Date
  actorId: string | null
  appId: string | null
  orgId: string | null
  roles: readonly string[]
  action: string
  objectType: string | null
  objectId: string | null
  result: string
  ip: string | null
  requestId: string | null
  grantId: string | null
  detail: Record<string, unknown>
}

/** Key-sorted JSON, so the digest does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export const chainHash = (prevHash: string, fields: ChainedFields) =>
  sm3Hex(`${prevHash}\n${canonicalJson({ ...fields, at: fields.at.toISOString(), roles: [...fields.roles] })}`)

/** One event's chained fields and its link. */
export interface ChainedRow extends ChainedFields {
  prevHash: string
  hash: string
}

/** Where the chain continues: its last hash, and that event's time (null at genesis), online or archived. */
export interface ChainHead {
  hash: string
  at: Date | null
  online: boolean
}

// PostgreSQL refuses NUL in text and jsonb, and a lone UTF-16 surrogate in jsonb; an attempt that
// smuggled one in is still recorded, NUL shown as its visible symbol (U+2400), a lone surrogate as U+FFFD,
// and hashed as stored so the chain verifies.
const NUL = /\u0000/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NUL, '\u2400').replace(LONE_SURROGATE, '\uFFFD') as T
  if (Array.isArray(value)) return value.map(storable) as T
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T
  }
  return value
}

/** The row for one event chained after `prevHash`, dated no earlier in month than `headAt` (see chainAfter). */
function chainedRow(prevHash: string, headAt: Date | null, source: AuditSource, event: AuditEventInput): ChainedRow {
  // Chain order (id) and month never disagree: an event stamped in an earlier month than the chain head
  // (a request that started just before midnight, a clock stepped back) takes the head's time. Then a
  // month's partition holds one contiguous stretch of the chain and can be archived as a segment.
  const at = headAt && beijingMonthStart(source.at) < beijingMonthStart(headAt) ? headAt : source.at
  const fields: ChainedFields = {
    at,
    actorId: source.actorId,
    appId: event.appId ?? null,
    orgId: source.orgId,
    roles: [...source.roles],
    action: event.action,
    objectType: storable(event.objectType ?? null),
    objectId: storable(event.objectId ?? null),
    result: event.result ?? 'success',
    ip: source.ip,
    requestId: source.requestId,
    grantId: event.grantId ?? null,
    detail: storable(event.detail ?? {}),
  }
  return { ...fields, prevHash, hash: chainHash(prevHash, fields) }
}

/**
 * The rows of `events` chained one after another from `head`, and the months among them that may still
 * need their partition (the head's own month has it when the head is online).
 */
export function chainAfter(head: ChainHead, events: readonly { source: AuditSource; event: AuditEventInput }[]): { rows: ChainedRow[]; newMonths: Date[] } {
  let prevHash = head.hash
  let headAt = head.at
  const rows: ChainedRow[] = []
  const months = new Map<number, Date>()
  for (const { source, event } of events) {
    const row = chainedRow(prevHash, headAt, source, event)
    rows.push(row)
    prevHash = row.hash
    headAt = row.at
    months.set(beijingMonthStart(row.at).getTime(), row.at)
  }
  if (head.online && head.at) months.delete(beijingMonthStart(head.at).getTime())
  return { rows, newMonths: [...months.values()] }
}

/** A head as the database functions return it. */
export const chainHeadOf = (row: { hash: string; at: Date | string | null; online: boolean }): ChainHead => ({
  hash: row.hash,
  at: row.at === null ? null : new Date(row.at),
  online: row.online,
})

/**
 * Takes the chain's lock for the rest of the transaction and reads where the chain continues, in one
 * round trip (migration 0018).
 */
export async function lockChainHead(trx: Trx): Promise<ChainHead> {
  const { rows } = await sql<{ hash: string; at: Date | string | null; online: boolean }>`select hash, at, online from audit_chain_lock_head()`.execute(trx)
  return chainHeadOf(rows[0])
}

/** Creates the partition of the month `at` falls in, when missing (migration 0013). */
export async function ensureAuditPartition(executor: Executor, at: Date) {
  await sql`select audit_ensure_partition(${at})`.execute(executor)
}

async function appendInTransaction(trx: Trx, events: readonly { source: AuditSource; event: AuditEventInput }[]) {
  const { rows, newMonths } = chainAfter(await lockChainHead(trx), events)
  // The head's month has its partition (the head is in it): only a new month costs a round trip.
  for (const at of newMonths) await ensureAuditPartition(trx, at)
  // One statement; a multi-row VALUES takes its ids in row order, the order the verifier walks.
  await trx
    .insertInto('auditEvents')
    .values(rows.map((row) => ({ ...row, result: row.result as 'success', roles: [...row.roles], detail: JSON.stringify(row.detail) })))
    .execute()
}

/**
 * Chained rows as one JSON array of audit_events rows (without ids: the table's sequence gives them in
 * order), for statements that insert them with json_populate_recordset (migration 0022).
 */
export function auditRowsJson(rows: readonly ChainedRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      at: r.at,
      actor_id: r.actorId,
      app_id: r.appId,
      org_id: r.orgId,
      roles: r.roles,
      action: r.action,
      object_type: r.objectType,
      object_id: r.objectId,
      result: r.result,
      ip: r.ip,
      request_id: r.requestId,
      grant_id: r.grantId,
      detail: r.detail,
      prev_hash: r.prevHash,
      hash: r.hash,
    })),
  )
}

/**
 * Appends one event to the SM3 chain. Call it with the command's transaction so the event commits
 * (or rolls back) with the change it records; with the plain database it opens its own transaction
 * (used for refused attempts, which have nothing to roll back).
 */
export async function appendAudit(executor: Executor, source: AuditSource, event: AuditEventInput): Promise<void> {
  return appendAuditBatch(executor, [{ source, event }])
}

/**
 * Appends several events in order with one lock and one INSERT (group commit of gateway calls): the
 * same chain as appending them one by one.
 */
export async function appendAuditBatch(executor: Executor, events: readonly { source: AuditSource; event: AuditEventInput }[]): Promise<void> {
  if (events.length === 0) return
  if (executor.isTransaction) return appendInTransaction(executor as Trx, events)
  await (executor as Db).transaction().execute((trx) => appendInTransaction(trx, events))
}

export interface ChainVerification {
  ok: boolean
  /** Online events checked (up to and including the first bad one). */
  count: number
  headHash: string
  firstBadId: number | null
  /** Archived segments before the online chain; the online chain starts from the newest one's last hash. */
  archivedSegments: number
  archivedEvents: number
  startHash: string
}

/** The chained fields of a stored row. */
export const chainedFieldsOf = (row: Omit<ChainedFields, 'at'> & { at: Date | string }): ChainedFields => ({
  at: new Date(row.at),
  actorId: row.actorId,
  appId: row.appId,
  orgId: row.orgId,
  roles: row.roles,
  action: row.action,
  objectType: row.objectType,
  objectId: row.objectId,
  result: row.result,
  ip: row.ip,
  requestId: row.requestId,
  grantId: row.grantId,
  detail: row.detail,
})

/**
 * Walks the online chain in id order, in pages, and names the first event whose hash or link is wrong.
 * It starts from the newest archived segment's last hash (genesis when nothing is archived), so the
 * first online event must link to what the archive ends with.
 */
export async function verifyAuditChain(db: Executor): Promise<ChainVerification> {
  const archive = await db
    .selectFrom('auditArchives')
    .select((eb) => [eb.fn.countAll<number>().as('segments'), eb.fn.coalesce(eb.fn.sum<number>('eventCount'), sql<number>`0`).as('events')])
    .executeTakeFirstOrThrow()
  const newest = await db.selectFrom('auditArchives').select('lastHash').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const startHash = newest?.lastHash ?? GENESIS_HASH
  const base = { archivedSegments: Number(archive.segments), archivedEvents: Number(archive.events), startHash }
  let prevHash = startHash
  let lastId = 0
  let count = 0
  for (;;) {
    const rows = await db.selectFrom('auditEvents').selectAll().where('id', '>', lastId).orderBy('id').limit(2000).execute()
    if (rows.length === 0) break
    for (const row of rows) {
      if (row.prevHash !== prevHash || row.hash !== chainHash(prevHash, chainedFieldsOf(row))) {
        return { ok: false, count: count + 1, headHash: prevHash, firstBadId: row.id, ...base }
      }
      prevHash = row.hash
      lastId = row.id
      count++
    }
  }
  return { ok: true, count, headHash: prevHash, firstBadId: null, ...base }
}
