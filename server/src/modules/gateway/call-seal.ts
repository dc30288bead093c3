import { sm3Hex } from '../../platform/crypto/sm3.ts'
import type { Executor } from '../../platform/db/database.ts'

/** The stored fields of a call log that its seal covers (everything but the id). */
export interface CallLogFields {
  requestInAt: Date | string
  upstreamOutAt?: Date | string | null
  upstreamInAt?: Date | string | null
  responseOutAt: Date | string
  requestBytes?: number
  responseBytes?: number
  consumerOrgId?: string | null
  appId?: string | null
  resourceId?: string | null
  providerOrgId?: string | null
  grantId?: string | null
  requestId?: string | null
  ip?: string | null
  paramsDigest?: string | null
  rowsReturned?: number
  result: 'success' | 'denied' | 'error'
  errorClass?: string | null
  errorCode?: string | null
  businessRef?: string | null
}

const time = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : null)
// PostgreSQL prints uuids in lower case whatever case they were written in.
const uuid = (v: string | null | undefined) => (v ? v.toLowerCase() : null)

/** SM3 of one call log's fields in a fixed order, computed alike from the row written and the row read back. */
export const callLogDigest = (log: CallLogFields) =>
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

/**
 * Re-hashes every call log sealed by an online `gateway.records.read` event and compares it with the
 * seal, then counts call logs that appeared after the first seal without one. The chain itself
 * (verifyAuditChain) proves the seals were not changed; this proves the call logs were not.
 */
export async function verifyCallLogSeals(db: Executor): Promise<CallLogSealVerification> {
  let lastId = 0
  let sealEvents = 0
  let firstSealedId: number | null = null
  const sealed = new Set<number>()
  const bad = (eventId: number) => ({ ok: false, sealEvents: sealEvents + 1, sealedCalls: sealed.size, firstBadEventId: eventId, unsealedCalls: 0 })
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
      if (logs.some((log) => !log) || seal.ids.some((id) => sealed.has(id))) return bad(seal.id)
      if (sealDigest(logs.map((log) => callLogDigest(log!))) !== seal.digest) return bad(seal.id)
      for (const id of seal.ids) {
        sealed.add(id)
        firstSealedId = firstSealedId === null ? id : Math.min(firstSealedId, id)
      }
      sealEvents++
    }
  }
  let unsealedCalls = 0
  if (firstSealedId !== null) {
    const since = await db
      .selectFrom('callLogs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '>=', firstSealedId)
      .executeTakeFirstOrThrow()
    unsealedCalls = Number(since.n) - sealed.size
  }
  return { ok: unsealedCalls === 0, sealEvents, sealedCalls: sealed.size, firstBadEventId: null, unsealedCalls }
}
