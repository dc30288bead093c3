import { type Insertable, sql } from 'kysely'
import { sm3Hex } from '../crypto/sm3.ts'
import type { Executor } from '../db/database.ts'
import type { CallLogsTable } from '../db/schema.ts'

/**
 * One gateway call's call-log row without its id (a success is also its grant's usage record, R-9):
 * what the journal writes and what a seal covers.
 * Rows read back fit it too; the two times every call has are required.
 */
export type CallLog = Omit<Insertable<CallLogsTable>, 'id' | 'requestInAt' | 'responseOutAt'> & { requestInAt: Date | string; responseOutAt: Date | string }

const time = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : null)
// PostgreSQL prints uuids in lower case whatever case they were written in.
const uuid = (v: string | null | undefined) => (v ? v.toLowerCase() : null)

/** SM3 of one call log's fields in a fixed order, computed alike from the row written and the row read back. */
export const callLogDigest = (log: CallLog) =>
  sm3Hex(
    JSON.stringify([
      time(log.requestInAt),
      time(log.upstreamOutAt),
      time(log.upstreamInAt),
      time(log.responseOutAt),
      Number(log.requestBytes ?? 0),
      Number(log.responseBytes ?? 0),
      uuid(log.consumerOrgId),
      uuid(log.appId),
      uuid(log.resourceId),
      uuid(log.providerOrgId),
      uuid(log.grantId),
      log.requestId ?? null,
      log.ip ?? null,
      log.paramsDigest ?? null,
      Number(log.rowsReturned ?? 0),
      log.result,
      log.errorClass ?? null,
      log.errorCode ?? null,
      log.businessRef ?? null,
    ]),
  )

/** The seal of a set of call logs: SM3 over their digests, sorted, so it does not depend on row order. */
export const sealDigest = (digests: readonly string[]) => sm3Hex([...digests].sort().join('\n'))

export interface CallLogSealVerification {
  ok: boolean
  /** Sealing events checked, and the calls they cover. */
  sealEvents: number
  sealedCalls: number
  /** The first event whose call logs are missing, altered or sealed twice. */
  firstBadEventId: number | null
  /** Call logs written since the first online seal that no seal covers (inserted behind the platform's back). */
  unsealedCalls: number
}

const PAGE = 200

const SEALS = sql`select e.id, x.call_log_id
  from audit_events e cross join lateral jsonb_array_elements_text(e.detail -> 'callLogIds') as x(call_log_id)
  where e.action = 'gateway.records.read'`

/**
 * Re-hashes every call log sealed by an online `gateway.records.read` event and compares it with the
 * seal, then looks for call logs sealed twice and for call logs that appeared after the first seal
 * without one. The chain itself (verifyAuditChain) proves the seals were not changed; this proves the
 * call logs were not. Memory stays bounded: events are read a page at a time and the set checks run
 * in the database.
 */
export async function verifyCallLogSeals(db: Executor): Promise<CallLogSealVerification> {
  let lastId = 0
  let sealEvents = 0
  let sealedCalls = 0
  let firstSealedId = Number.POSITIVE_INFINITY
  const bad = (eventId: number) => ({ ok: false, sealEvents: sealEvents + 1, sealedCalls, firstBadEventId: eventId, unsealedCalls: 0 })
  for (;;) {
    const events = await db
      .selectFrom('auditEvents')
      .select(['id', 'detail'])
      .where('action', '=', 'gateway.records.read')
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(PAGE)
      .execute()
    if (events.length === 0) break
    lastId = events[events.length - 1].id
    const seals = events.flatMap((e) => {
      const detail = e.detail as { callLogIds?: unknown; digest?: unknown }
      // Events written before call logs were sealed carry no ids; the chain alone covers them.
      return Array.isArray(detail.callLogIds) ? [{ id: e.id, ids: detail.callLogIds.map(Number), digest: String(detail.digest) }] : []
    })
    const wanted = seals.flatMap((s) => s.ids)
    const rows = wanted.length === 0 ? [] : await db.selectFrom('callLogs').selectAll().where('id', 'in', wanted).execute()
    const byId = new Map(rows.map((r) => [Number(r.id), r]))
    for (const seal of seals) {
      const logs = seal.ids.map((id) => byId.get(id))
      if (logs.some((log) => !log) || sealDigest(logs.map((log) => callLogDigest(log!))) !== seal.digest) return bad(seal.id)
      sealEvents++
      sealedCalls += seal.ids.length
      for (const id of seal.ids) if (id < firstSealedId) firstSealedId = id
    }
  }
  if (sealedCalls === 0) return { ok: true, sealEvents, sealedCalls, firstBadEventId: null, unsealedCalls: 0 }
  // A call log listed by two seals: the later seal is the bad one.
  const twice = await sql<{
    id: number | string
  }>`select max(s.id) as id from (${SEALS}) s group by s.call_log_id having count(*) > 1 order by 1 limit 1`.execute(db)
  if (twice.rows.length > 0) return { ok: false, sealEvents, sealedCalls, firstBadEventId: Number(twice.rows[0].id), unsealedCalls: 0 }
  const unsealed = await sql<{ n: number | string }>`select count(*) as n from call_logs c
    where c.id >= ${firstSealedId} and not exists (select 1 from (${SEALS}) s where s.call_log_id::bigint = c.id)`.execute(db)
  const unsealedCalls = Number(unsealed.rows[0].n)
  return { ok: unsealedCalls === 0, sealEvents, sealedCalls, firstBadEventId: null, unsealedCalls }
}
