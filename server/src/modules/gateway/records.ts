import { isLiveSessionToken } from '../../platform/auth/sessions.ts'
import { beijingDateTime, beijingDayStart } from '../../platform/calendar/dates.ts'
import { deriveKey, sm3Hex, sm3HmacHex } from '../../platform/crypto/sm3.ts'
import type { Db } from '../../platform/db/database.ts'
import type { BusinessRef } from '../../platform/http/client-refs.ts'
import { AppError } from '../../platform/http/errors.ts'
import { loggableError } from '../../platform/http/request-log.ts'
import type { AppCaller } from './apps.ts'
import { maskRow, pseudonymKeyOf } from './grant-view.ts'
import { ipAllowed } from './ip-allow.ts'
import { flagApp } from './lookup-probes.ts'
import { withObjectionFlags } from './objection-flags.ts'
import { minuteWindow } from './rate-limit.ts'
import { readMountedTable } from './read/mounted.ts'
import { type Grant, planRead } from './read/plan.ts'
import { proxyUpstream } from './read/upstream.ts'
import { GatewayRefusal, refuse } from './refusals.ts'
import type { GatewayRuntime } from './runtime.ts'

export interface RecordsCall {
  db: Db
  runtime: GatewayRuntime
  networkZone: 'extranet' | 'intranet'
  /** Master key for SM4-encrypted mounted columns (GOVSHARE_DATA_KEY), or null. */
  dataKey: Buffer | null
  now: () => Date
  /** A user session's idle timeout: a live user token sent here is told it is the wrong kind. */
  sessionIdleMinutes: number
  token: string | null
  ip: string
  requestId: string
  resourceId: string
  query: Record<string, string>
  /** The route schema's refusal of the request (then resourceId and query are as sent, unchecked). */
  rejected: Error | null
  /** The 办件号 as checked (X-Business-Ref or ?businessRef=): an invalid one is refused after authentication and never stored. */
  businessRef: BusinessRef
  requestBytes: number
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }
}

interface CallFacts {
  app?: AppCaller
  grant?: Grant
  providerOrgId?: string
  upstreamOutAt?: Date
  upstreamInAt?: Date
  rows: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * One gateway read (SPEC §7.6 接口, API.md "Data service gateway"): authenticate the app, find the
 * active grant, enforce IP list, rate and quota, lookup keys, items and row filter (read/plan.ts), read
 * the mounted table or the upstream API (read/), mask, and hand the call — allowed or denied — to the
 * call journal (a success is the grant's usage record), which seals it into the audit chain.
 */
export async function readRecords(call: RecordsCall) {
  const requestInAt = call.now()
  const facts: CallFacts = { rows: 0 }
  let result:
    | { items: Record<string, unknown>[]; grantId: string; requestId: string | null; limit: number; offset: number; objectionNotice?: string }
    | undefined
  let failure: unknown
  try {
    result = await serve(call, facts)
    return result
  } catch (error) {
    failure = error
    throw error
  } finally {
    await recordCall(call, facts, requestInAt, result, failure)
  }
}

async function serve(call: RecordsCall, facts: CallFacts) {
  const rt = call.runtime
  const now = call.now()
  const app = call.token ? await rt.resolveApp(call.token, now) : null
  // The schema's answer stands whoever calls; a known app is named in the call log.
  if (call.rejected) {
    if (app) facts.app = app
    throw refuse.schema(call.rejected)
  }
  if (!app) throw call.token && (await isLiveSessionToken(call.db, call.token, now, call.sessionIdleMinutes)) ? refuse.userToken() : refuse.noToken()
  facts.app = app
  if (!ipAllowed(app.ipAllowList, call.ip)) throw refuse.ip()
  if (call.businessRef.problem) throw refuse.param(call.businessRef.problem)
  if (rt.probes.throttled(app.appId, now)) throw refuse.probing()
  const today = beijingDateTime(now).date
  // Independent lookups, started together (each is usually a cache hit).
  const [entry, grants] = await Promise.all([rt.entry(call.resourceId), rt.grant(app, call.resourceId, today)])
  if (!entry) throw refuse.notFound()
  facts.providerOrgId = entry.providerOrgId
  // SPEC §8.1 S1: 涉密 data never leaves the 外网 instance, even if it was registered or mounted before.
  if (call.networkZone === 'extranet' && (entry.secret || entry.items.some((item) => item.secret))) throw refuse.secret()
  const grant = grants.usable
  if (!grant) throw grants.otherApp ? refuse.app() : grants.latest ? refuse.inactive(grants.latest.status) : refuse.noGrant()
  facts.grant = grant
  if (grant.mode !== 'api') throw refuse.mode()
  const planned = planRead(grant, entry, call.query)
  if ('maskedLookup' in planned) {
    // A probe: it counts toward the app's misses, like a lookup that finds nothing.
    await countMiss(call, app, now)
    throw refuse.maskedLookup(planned.maskedLookup)
  }
  const { granted, lookups, limit, offset } = planned.plan
  const pseudonymKey = pseudonymKeyOf(call.dataKey, grant.consumerOrgId)
  const source = await rt.source(entry.resourceId)
  // A mounted table is read while the call is counted (one round trip less on the critical path); the rows
  // are dropped unread if the count refuses the call. An upstream API is only called once the count allows it.
  facts.upstreamOutAt = call.now()
  const reading = source.table ? readMountedTable(mountedEnv(call), source.table, grant, entry.items, granted, lookups, limit, offset) : null
  reading?.catch(() => {})
  // Both windows in one (batched) statement: a call refused by the minute limit still counts toward the day.
  const [minute, day] = await rt.counter.count([
    { key: `grant:${grant.id}:minute`, windowStart: minuteWindow(now) },
    // The daily quota's window starts at midnight Beijing time.
    { key: `grant:${grant.id}:day`, windowStart: beijingDayStart(now) },
  ])
  if (minute > grant.rateLimitPerMinute) throw refuse.rate()
  if (day > grant.dailyQuota) throw refuse.quota()
  let rows: Record<string, unknown>[]
  if (reading) rows = await reading
  else if (source.api) rows = await proxyUpstream(call, source.api, grant, entry.items, granted, lookups, limit, offset)
  else throw refuse.noData()
  facts.upstreamInAt = call.now()
  // Masking happens here, before anything leaves the platform (SPEC §8.3 S9).
  const items = rows.map((row) => maskRow(granted, row, pseudonymKey))
  facts.rows = items.length
  if (lookups.length > 0 && items.length === 0) await countMiss(call, app, now)
  const objections = await withObjectionFlags(call.db, await rt.flaggedKeys(entry.resourceId), entry.resourceId, entry.items, rows, items)
  return { items, grantId: grant.id, requestId: grant.requestId, limit, offset, ...objections }
}

const mountedEnv = (call: RecordsCall) => ({
  db: call.db,
  dataKey: call.dataKey,
  freshTable: async (resourceId: string) => (await call.runtime.source(resourceId, true)).table,
})

/**
 * Counts a lookup that found nothing or was refused (in memory); the miss that reaches the threshold
 * flags the app for the security administrator. A failed flag write is logged, never the call's answer.
 */
async function countMiss(call: RecordsCall, app: AppCaller, now: Date) {
  if (!call.runtime.probes.miss(app.appId, now)) return
  try {
    await flagApp(call.db, app, call.runtime.probes.limit, { ip: call.ip, requestId: call.requestId, at: now })
  } catch (error) {
    call.log.error({ err: loggableError(error) }, 'gateway lookup-miss flag failed')
  }
}

const paramsKeys = new WeakMap<Buffer, Buffer>()

/**
 * What the call log keeps of a call's query: a digest, never the values. With a data key it is keyed
 * (HMAC-SM3 under a key derived from GOVSHARE_DATA_KEY, which is never in the database): a plain digest of
 * a lookup by 身份证号 is found again by hashing candidate numbers, and sealed mounted data would leak
 * through its call logs. Without a data key the mounted values are in the database in clear anyway.
 */
export function paramsDigest(dataKey: Buffer | null, query: Record<string, string>): string {
  const text = JSON.stringify(query)
  if (!dataKey) return sm3Hex(text)
  let key = paramsKeys.get(dataKey)
  if (!key) paramsKeys.set(dataKey, (key = deriveKey(dataKey, 'govshare-gateway:params-digest')))
  return sm3HmacHex(key, text)
}

async function recordCall(call: RecordsCall, facts: CallFacts, requestInAt: Date, result: unknown, failure: unknown) {
  const refusal = failure instanceof GatewayRefusal ? failure : null
  const outcome: 'success' | 'denied' | 'error' = !failure ? 'success' : refusal && refusal.statusCode < 500 ? 'denied' : 'error'
  const responseOutAt = call.now()
  try {
    await call.runtime.journal.record({
      requestInAt,
      upstreamOutAt: facts.upstreamOutAt ?? null,
      upstreamInAt: facts.upstreamInAt ?? null,
      responseOutAt,
      requestBytes: call.requestBytes,
      responseBytes: result ? Buffer.byteLength(JSON.stringify(result)) : 0,
      consumerOrgId: facts.app?.orgId ?? null,
      appId: facts.app?.appId ?? null,
      // A resource id the schema refused is not a uuid: the column could not hold it.
      resourceId: UUID.test(call.resourceId) ? call.resourceId : null,
      providerOrgId: facts.providerOrgId ?? null,
      grantId: facts.grant?.id ?? null,
      requestId: call.requestId,
      ip: call.ip,
      paramsDigest: paramsDigest(call.dataKey, call.query),
      rowsReturned: facts.rows,
      result: outcome,
      errorClass: refusal?.errorClass ?? (failure ? '调用失败' : null),
      errorCode: refusal?.code ?? (failure instanceof AppError ? failure.code : failure ? 'INTERNAL_ERROR' : null),
      businessRef: call.businessRef.value,
    })
  } catch (error) {
    // Data never leaves unrecorded: a failed log turns a success into an error. A refusal keeps its own answer.
    call.log.error({ err: loggableError(error) }, 'gateway call log failed')
    if (outcome === 'success') throw error
  }
}
