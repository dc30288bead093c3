import { sql } from 'kysely'
import type { Db, Executor, Trx } from '../db/database.ts'
import { sm3Hex } from '../crypto/sm3.ts'

export const GENESIS_HASH = '0'.repeat(64)
// Serializes appends across every process sharing the database, so the chain has one order.
const AUDIT_CHAIN_LOCK_KEY = 7_370_701

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

interface ChainedFields {
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

async function appendInTransaction(trx: Trx, source: AuditSource, event: AuditEventInput) {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`.execute(trx)
  const last = await trx.selectFrom('auditEvents').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const prevHash = last?.hash ?? GENESIS_HASH
  const fields: ChainedFields = {
    at: source.at,
    actorId: source.actorId,
    appId: event.appId ?? null,
    orgId: source.orgId,
    roles: source.roles,
    action: event.action,
    objectType: event.objectType ?? null,
    objectId: event.objectId ?? null,
    result: event.result ?? 'success',
    ip: source.ip,
    requestId: source.requestId,
    grantId: event.grantId ?? null,
    detail: event.detail ?? {},
  }
  const hash = chainHash(prevHash, fields)
  await trx
    .insertInto('auditEvents')
    .values({
      ...fields,
      roles: [...fields.roles],
      result: fields.result as 'success',
      detail: JSON.stringify(fields.detail),
      prevHash,
      hash,
    })
    .execute()
}

/**
 * Appends one event to the SM3 chain. Call it with the command's transaction so the event commits
 * (or rolls back) with the change it records; with the plain database it opens its own transaction
 * (used for refused attempts, which have nothing to roll back).
 */
export async function appendAudit(executor: Executor, source: AuditSource, event: AuditEventInput): Promise<void> {
  if (executor.isTransaction) return appendInTransaction(executor as Trx, source, event)
  await (executor as Db).transaction().execute((trx) => appendInTransaction(trx, source, event))
}

export interface ChainVerification {
  ok: boolean
  count: number
  headHash: string
  firstBadId: number | null
}

/** Walks the whole chain in id order, in pages, and names the first event whose hash or link is wrong. */
export async function verifyAuditChain(db: Executor): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH
  let lastId = 0
  let count = 0
  for (;;) {
    const rows = await db.selectFrom('auditEvents').selectAll().where('id', '>', lastId).orderBy('id').limit(2000).execute()
    if (rows.length === 0) break
    for (const row of rows) {
      const expected = chainHash(prevHash, {
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
      if (row.prevHash !== prevHash || row.hash !== expected) {
        return { ok: false, count: count + 1, headHash: prevHash, firstBadId: row.id }
      }
      prevHash = row.hash
      lastId = row.id
      count++
    }
  }
  return { ok: true, count, headHash: prevHash, firstBadId: null }
}
