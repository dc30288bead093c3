import { CompiledQuery, type Selectable, sql } from 'kysely'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import { deriveKey, sm3Hex, sm3HmacHex } from '../../platform/crypto/sm3.ts'
import type { Db } from '../../platform/db/database.ts'
import type { GrantsTable, MaskingRule, StoredItem } from '../../platform/db/schema.ts'
import type { BusinessRef } from '../../platform/http/client-refs.ts'
import { AppError, type ErrorDetail } from '../../platform/http/errors.ts'
import { schemaErrorDetails } from '../../platform/http/error-handler.ts'
import { loggableError } from '../../platform/http/request-log.ts'
import { isMasked } from '../../platform/masking/masked-conditions.ts'
import { type ActiveTableMount, type ApiMount, canonicalLookup, digestValue, openSealedValue, sealerFor } from '../mounts/index.ts'
import type { AppCaller } from './apps.ts'
import { ipAllowed } from './ip-allow.ts'
import { flagApp } from './lookup-probes.ts'
import { beijingDayWindow, minuteWindow } from './rate-limit.ts'
import { type Granted, filterItem, flows, grantFilterSql, grantedItems, maskRow, maskedFilterOf, pseudonymKeyOf } from './grant-view.ts'
import { rowMatches } from './row-filter.ts'
import type { GatewayRuntime } from './runtime.ts'
import { UpstreamUnavailable, callUpstream } from './upstream-call.ts'

type Grant = Selectable<GrantsTable>

/** A refusal of the gateway: an API.md error code plus the SPEC §6.6 error class for the call log. */
class GatewayRefusal extends AppError {
  constructor(status: number, code: string, message: string, readonly errorClass: string, details?: ErrorDetail[]) {
    super(status, code, message, details)
  }
}
const refuse = {
  noToken: () => new GatewayRefusal(401, 'UNAUTHENTICATED', '访问令牌无效或已过期，请重新获取', '无调用权限'),
  ip: () => new GatewayRefusal(403, 'IP_NOT_ALLOWED', '调用来源 IP 不在应用白名单内', '无调用权限'),
  noGrant: () => new GatewayRefusal(403, 'NO_GRANT', '本单位没有该资源的有效授权，请先提交共享申请', '无调用权限'),
  inactive: (status: string) => new GatewayRefusal(403, 'GRANT_INACTIVE', `授权已${status === 'revoked' ? '撤销' : status === 'suspended' ? '暂停' : '过期'}，不能调用`, '无调用权限'),
  app: () => new GatewayRefusal(403, 'APP_NOT_GRANTED', '该授权不包含本应用：授权只对共享申请中列明的应用有效，请以本应用重新申请', '无调用权限'),
  mode: () => new GatewayRefusal(403, 'MODE_NOT_GRANTED', '该授权不是接口方式，不能通过接口调用', '无调用权限'),
  notFound: () => new GatewayRefusal(404, 'NOT_FOUND', '资源不存在或未发布', '参数校验失败'),
  param: (message: string) => new GatewayRefusal(400, 'VALIDATION_FAILED', message, '参数校验失败'),
  schema: (error: Error) => new GatewayRefusal(400, 'VALIDATION_FAILED', '输入有误，请检查标注的字段', '参数校验失败', schemaErrorDetails(error)),
  rate: () => new GatewayRefusal(429, 'RATE_LIMITED', '调用过于频繁，请稍后再试', '超限'),
  quota: () => new GatewayRefusal(429, 'QUOTA_EXCEEDED', '今日调用次数已用完', '超限'),
  noData: () => new GatewayRefusal(409, 'NOT_MOUNTED', '提供方尚未挂接数据', '调用失败'),
  sealedFilter: (key: string) =>
    new GatewayRefusal(409, 'FILTER_ON_ENCRYPTED_ITEM', `授权的行过滤条件「${key}」作用于加密存储的信息项，只支持等值（eq/in）条件；请提供方调整授权`, '调用失败'),
  maskedLookup: (key: string) =>
    new GatewayRefusal(403, 'LOOKUP_ON_MASKED_ITEM', `信息项「${key}」按授权脱敏提供，不能作为查询条件；如需凭已掌握的完整值联机查询，请提供方在授权中将其设为查询键`, '无调用权限'),
  maskedFilter: (key: string) =>
    new GatewayRefusal(409, 'FILTER_ON_MASKED_ITEM', `授权的行过滤条件「${key}」作用于脱敏提供的信息项，会透露被遮盖的内容，暂停提供；请提供方调整授权`, '调用失败'),
  probing: () =>
    new GatewayRefusal(429, 'LOOKUP_PROBING', '短时间内查询未命中次数过多，本分钟内暂停该应用的调用，并已提示安全管理员核查', '超限'),
  secret: () => new GatewayRefusal(403, 'SECRET_ON_EXTRANET', '本平台为政务外网实例，不提供涉密信息资源或涉密信息项的数据', '无调用权限'),
  upstream: () => new GatewayRefusal(502, 'UPSTREAM_FAILED', '数据源暂时无法提供数据，请稍后再试或联系提供方', '调用失败'),
  timeout: () => new GatewayRefusal(504, 'UPSTREAM_TIMEOUT', '数据源响应超时', '超时'),
}

export interface RecordsCall {
  db: Db
  runtime: GatewayRuntime
  networkZone: 'extranet' | 'intranet'
  /** Master key for SM4-encrypted mounted columns (GOVSHARE_DATA_KEY), or null. */
  dataKey: Buffer | null
  now: () => Date
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

const RESERVED = new Set(['limit', 'offset', 'businessRef'])
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function pageOf(query: Record<string, string>) {
  const limit = query.limit === undefined ? 20 : Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw refuse.param('limit 应为 1–1000 的整数')
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000_000) throw refuse.param('offset 应为非负整数')
  return { limit, offset }
}

/**
 * One gateway read (SPEC §7.6 接口, API.md "Data service gateway"): authenticate the app, find the
 * active grant, enforce IP list, rate and quota, lookup keys, items and row filter, mask, and record
 * the call — allowed or denied — in the call log (a success is the grant's usage record), sealed into the audit chain.
 */
export async function readRecords(call: RecordsCall) {
  const requestInAt = call.now()
  const facts: CallFacts = { rows: 0 }
  let result: { items: Record<string, unknown>[]; grantId: string; requestId: string | null; limit: number; offset: number } | undefined
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
  if (!app) throw refuse.noToken()
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
  // Refused at decision time now; a grant made before that is not served until the provider changes it.
  const maskedFilter = maskedFilterOf(grant, entry.items)
  if (maskedFilter) throw refuse.maskedFilter(maskedFilter)
  const { limit, offset } = pageOf(call.query)
  const granted = grantedItems(grant, entry.items)
  const byKey = new Map(entry.items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))
  const lookups: { item: StoredItem; value: string }[] = []
  for (const [key, value] of Object.entries(call.query)) {
    if (RESERVED.has(key)) continue
    const item = byKey.get(key.toLowerCase())
    if (!item || !flows(grant, item)) throw refuse.param(`查询参数「${key}」不是已授权信息项的英文名`)
    if (value.length > 200) throw refuse.param(`查询参数「${key}」过长`)
    if (isMasked(grant.masking, item.id) && !grant.lookupKeys.some((k) => k.toLowerCase() === key.toLowerCase())) {
      // A probe: it counts toward the app's misses, like a lookup that finds nothing.
      await countMiss(call, app, now)
      throw refuse.maskedLookup(key)
    }
    lookups.push({ item, value })
  }
  for (const key of grant.lookupKeys) {
    if (!lookups.some((l) => l.item.nameEn?.toLowerCase() === key.toLowerCase())) throw refuse.param(`该授权为联机查询，必须提供查询键「${key}」`)
  }
  const pseudonymKey = pseudonymKeyOf(call.dataKey, grant.consumerOrgId)
  const source = await rt.source(entry.resourceId)
  // A mounted table is read while the call is counted (one round trip less on the critical path); the rows
  // are dropped unread if the count refuses the call. An upstream API is only called once the count allows it.
  facts.upstreamOutAt = call.now()
  const reading = source.table ? readMountedTable(call, source.table, grant, entry.items, granted, lookups, limit, offset) : null
  reading?.catch(() => {})
  // Both windows in one (batched) statement: a call refused by the minute limit still counts toward the day.
  const [minute, day] = await rt.counter.count([
    { key: `grant:${grant.id}:minute`, windowStart: minuteWindow(now) },
    { key: `grant:${grant.id}:day`, windowStart: beijingDayWindow(now) },
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
  return { items, grantId: grant.id, requestId: grant.requestId, limit, offset }
}


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


/** A compiled read of a mounted table: the statement and the grant's own parameters (its row filter). */
interface ReadShape {
  sql: string
  fixed: readonly unknown[]
}

/**
 * Compiled reads by shape: per grant (a grant reloaded from the database is a new object, and its shapes
 * go with the old one), table, items and lookup items. Only the lookup values, limit and offset change
 * from call to call; building and compiling the statement every call cost about 25 µs of CPU a call.
 */
const compiledReads = new WeakMap<Grant, Map<string, ReadShape>>()

type ColumnOf = Map<string, ActiveTableMount['columns'][number]>

/**
 * The read statement of a shape, or null when nothing can match (fail closed: a filter or a lookup on a
 * column the mounted data lacks returns nothing rather than everything).
 */
function readShape(call: RecordsCall, mount: ActiveTableMount, columnOf: ColumnOf, grant: Grant, items: readonly StoredItem[], selected: Granted, lookups: readonly { item: StoredItem }[]): ReadShape | null {
  const filter = grantFilterSql(call.dataKey, columnOf, grant, items)
  if (filter === null) return null
  if ('sealedFilter' in filter) throw refuse.sealedFilter(filter.sealedFilter)
  const conditions = [...filter.conditions]
  for (const { item } of lookups) {
    const column = columnOf.get(item.id)
    if (!column) return null
    conditions.push(sql<boolean>`${sql.ref(column.sealed ? column.sealed.digestColumn : column.column)} = ${''}`)
  }
  // Checked after the filter, so a filter the encrypted data cannot answer is refused even then.
  if (selected.length === 0) return null
  const compiled = sql`select ${sql.join(selected.map(({ item }, i) => sql`${sql.ref(columnOf.get(item.id)!.column)} as ${sql.raw(`c${i}`)}`))}
    from ${sql.table(mount.tableName)}
    ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
    order by _line limit ${0} offset ${0}`.compile(call.db)
  // The row filter's parameters come first; the lookups', the limit and the offset (the call's own) last.
  return { sql: compiled.sql, fixed: compiled.parameters.slice(0, compiled.parameters.length - lookups.length - 2) }
}

async function readMountedTable(
  call: RecordsCall,
  mount: ActiveTableMount,
  grant: Grant,
  items: readonly StoredItem[],
  granted: Granted,
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const columnOf: ColumnOf = new Map(mount.columns.map((c) => [c.itemId, c]))
  const selected = granted.filter(({ item }) => columnOf.has(item.id))
  const shapeKey = `${mount.tableName}|${selected.map(({ item }) => item.id).join(',')}|${lookups.map(({ item }) => item.id).join(',')}`
  let shapes = compiledReads.get(grant)
  if (!shapes) compiledReads.set(grant, (shapes = new Map()))
  let shape = shapes.get(shapeKey)
  if (!shape) {
    const built = readShape(call, mount, columnOf, grant, items, selected, lookups)
    if (!built) return []
    shapes.set(shapeKey, (shape = built))
  }
  // Each lookup as its column holds it: in the column's own type (the canonical form), so the key's index
  // is used, or as the keyed digest of an encrypted column. A value no row could hold matches nothing.
  const lookupValues: string[] = []
  for (const { item, value } of lookups) {
    const canonical = canonicalLookup(item, value)
    if (canonical === null) return []
    const column = columnOf.get(item.id)!
    lookupValues.push(column.sealed ? digestValue(sealerFor(column, call.dataKey), item.id, canonical) : canonical)
  }
  let rows: Record<string, unknown>[]
  try {
    rows = (await call.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(shape.sql, [...shape.fixed, ...lookupValues, limit, offset]))).rows
  } catch (error) {
    // A re-upload swapped and dropped the table between lookup and read: read the new batch once more.
    if ((error as { code?: string }).code !== '42P01') throw error
    const fresh = (await call.runtime.source(grant.resourceId, true)).table
    if (!fresh || fresh.tableName === mount.tableName) throw refuse.noData()
    return readMountedTable(call, fresh, grant, items, granted, lookups, limit, offset)
  }
  const sealers = selected.map(({ item }) => (columnOf.get(item.id)!.sealed ? sealerFor(columnOf.get(item.id)!, call.dataKey) : null))
  // Sealed cells are decrypted here, just before masking (serve()), and never leave as ciphertext.
  return rows.map((row) =>
    Object.fromEntries(selected.map(({ key, item }, i) => [key, sealers[i] ? openSealedValue(sealers[i], grant.resourceId, columnOf.get(item.id)!, row[`c${i}`]) : row[`c${i}`]])),
  )
}

async function proxyUpstream(
  call: RecordsCall,
  api: ApiMount,
  grant: Grant,
  items: readonly StoredItem[],
  granted: Granted,
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const params = Object.fromEntries(lookups.map(({ item, value }) => [item.nameEn!, value]))
  let list: unknown[]
  try {
    list = await callUpstream(call, api, params)
  } catch (error) {
    // Whatever the upstream said or did, the caller learns only that it failed or was too slow.
    if (error instanceof UpstreamUnavailable) throw error.timedOut ? refuse.timeout() : refuse.upstream()
    throw error
  }
  const filters = Object.entries(grant.rowFilter).map(([key, condition]) => ({ key: filterItem(items, key)?.nameEn ?? key, condition }))
  const rows = list.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
  return rows
    .filter((row) => filters.every(({ key, condition }) => rowMatches(row[key], condition)))
    .filter((row) => lookups.every(({ item, value }) => String(row[item.nameEn!]) === value))
    .slice(offset, offset + limit)
    .map((row) => Object.fromEntries(granted.map(({ key }) => [key, row[key] ?? null])))
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
