import { type Selectable, sql } from 'kysely'
import { appendAudit } from '../../platform/audit/chain.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import { sm3Hex } from '../../platform/crypto/sm3.ts'
import type { Db } from '../../platform/db/database.ts'
import type { GrantsTable, MaskingRule, StoredItem } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import { maskValue } from '../../platform/masking/masking.ts'
import { pseudonymSecret } from '../../platform/masking/pseudonym-secret.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { findActiveTableMount, findApiMount } from '../mounts/index.ts'
import { findLatestGrant, findUsableGrant, recordUsage } from '../sharing/index.ts'
import type { AppCaller } from './apps.ts'
import { ipAllowed } from './ip-allow.ts'
import { beijingDayWindow, countInWindow, minuteWindow } from './rate-limit.ts'
import { rowConditionSql, rowMatches } from './row-filter.ts'

type Grant = Selectable<GrantsTable>

/** A refusal of the gateway: an API.md error code plus the SPEC §6.6 error class for the call log. */
class GatewayRefusal extends AppError {
  constructor(status: number, code: string, message: string, readonly errorClass: string) {
    super(status, code, message)
  }
}
const refuse = {
  noToken: () => new GatewayRefusal(401, 'UNAUTHENTICATED', '访问令牌无效或已过期，请重新获取', '无调用权限'),
  ip: () => new GatewayRefusal(403, 'IP_NOT_ALLOWED', '调用来源 IP 不在应用白名单内', '无调用权限'),
  noGrant: () => new GatewayRefusal(403, 'NO_GRANT', '本单位没有该资源的有效授权，请先提交共享申请', '无调用权限'),
  inactive: (status: string) => new GatewayRefusal(403, 'GRANT_INACTIVE', `授权已${status === 'revoked' ? '撤销' : status === 'suspended' ? '暂停' : '过期'}，不能调用`, '无调用权限'),
  mode: () => new GatewayRefusal(403, 'MODE_NOT_GRANTED', '该授权不是接口方式，不能通过接口调用', '无调用权限'),
  notFound: () => new GatewayRefusal(404, 'NOT_FOUND', '资源不存在或未发布', '参数校验失败'),
  param: (message: string) => new GatewayRefusal(400, 'VALIDATION_FAILED', message, '参数校验失败'),
  rate: () => new GatewayRefusal(429, 'RATE_LIMITED', '调用过于频繁，请稍后再试', '超限'),
  quota: () => new GatewayRefusal(429, 'QUOTA_EXCEEDED', '今日调用次数已用完', '超限'),
  noData: () => new GatewayRefusal(409, 'NOT_MOUNTED', '提供方尚未挂接数据', '调用失败'),
  upstream: (message: string) => new GatewayRefusal(502, 'UPSTREAM_FAILED', message, '调用失败'),
  timeout: () => new GatewayRefusal(504, 'UPSTREAM_TIMEOUT', '数据源响应超时', '超时'),
}

export interface RecordsCall {
  db: Db
  now: () => Date
  token: string | null
  resolveApp: (token: string) => Promise<AppCaller | null>
  ip: string
  requestId: string
  resourceId: string
  query: Record<string, string>
  businessRef: string | null
  requestBytes: number
  log: { error(obj: object, msg: string): void }
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

function pageOf(query: Record<string, string>) {
  const limit = query.limit === undefined ? 20 : Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw refuse.param('limit 应为 1–1000 的整数')
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000_000) throw refuse.param('offset 应为非负整数')
  return { limit, offset }
}

/** The granted items with their output key (nameEn) and masking rule. */
function grantedItems(grant: Grant, items: readonly StoredItem[]) {
  return items
    .filter((item) => grant.itemIds.includes(item.id))
    .map((item) => ({ item, key: item.nameEn ?? item.name, rule: (grant.masking[item.id] ?? 'none') as MaskingRule }))
}

/**
 * One gateway read (SPEC §7.6 接口, API.md "Data service gateway"): authenticate the app, find the
 * active grant, enforce IP list, rate and quota, lookup keys, items and row filter, mask, and record
 * the call — allowed or denied — in the call log, the usage records and the audit chain.
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
  const app = call.token ? await call.resolveApp(call.token) : null
  if (!app) throw refuse.noToken()
  facts.app = app
  if (!ipAllowed(app.ipAllowList, call.ip)) throw refuse.ip()
  const entry = await findPublishedEntry(call.db, call.resourceId)
  if (!entry) throw refuse.notFound()
  facts.providerOrgId = entry.providerOrgId
  const now = call.now()
  const today = beijingDateTime(now).date
  const grant = await findUsableGrant(call.db, app.orgId, entry.resourceId, today)
  if (!grant) {
    const latest = await findLatestGrant(call.db, app.orgId, entry.resourceId)
    throw latest ? refuse.inactive(latest.status) : refuse.noGrant()
  }
  facts.grant = grant
  if (grant.mode !== 'api') throw refuse.mode()
  const { limit, offset } = pageOf(call.query)
  const granted = grantedItems(grant, entry.items)
  const byKey = new Map(entry.items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))
  const lookups: { item: StoredItem; value: string }[] = []
  for (const [key, value] of Object.entries(call.query)) {
    if (RESERVED.has(key)) continue
    const item = byKey.get(key.toLowerCase())
    if (!item || !grant.itemIds.includes(item.id)) throw refuse.param(`查询参数「${key}」不是已授权信息项的英文名`)
    if (value.length > 200) throw refuse.param(`查询参数「${key}」过长`)
    lookups.push({ item, value })
  }
  for (const key of grant.lookupKeys) {
    if (!lookups.some((l) => l.item.nameEn?.toLowerCase() === key.toLowerCase())) throw refuse.param(`该授权为联机查询，必须提供查询键「${key}」`)
  }
  const minute = await countInWindow(call.db, `grant:${grant.id}:minute`, minuteWindow(now))
  if (minute > grant.rateLimitPerMinute) throw refuse.rate()
  const day = await countInWindow(call.db, `grant:${grant.id}:day`, beijingDayWindow(now))
  if (day > grant.dailyQuota) throw refuse.quota()

  const secret = await pseudonymSecret(call.db)
  const pseudonymKey = `${secret}:${grant.consumerOrgId}`
  facts.upstreamOutAt = call.now()
  const rows = await fetchRows(call, entry.resourceId, grant, entry.items, granted, lookups, limit, offset)
  facts.upstreamInAt = call.now()
  // Masking happens here, before anything leaves the platform (SPEC §8.3 S9).
  const items = rows.map((row) => Object.fromEntries(granted.map(({ key, rule }) => [key, maskValue(rule, row[key] ?? null, pseudonymKey)])))
  facts.rows = items.length
  return { items, grantId: grant.id, requestId: grant.requestId, limit, offset }
}

type Granted = ReturnType<typeof grantedItems>

async function fetchRows(call: RecordsCall, resourceId: string, grant: Grant, items: readonly StoredItem[], granted: Granted, lookups: { item: StoredItem; value: string }[], limit: number, offset: number) {
  const mount = await findActiveTableMount(call.db, resourceId)
  if (mount) return readMountedTable(call, mount, grant, items, granted, lookups, limit, offset)
  const api = await findApiMount(call.db, resourceId)
  if (api) return proxyUpstream(api, grant, items, granted, lookups, limit, offset)
  throw refuse.noData()
}

async function readMountedTable(
  call: RecordsCall,
  mount: NonNullable<Awaited<ReturnType<typeof findActiveTableMount>>>,
  grant: Grant,
  items: readonly StoredItem[],
  granted: Granted,
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const columnOf = new Map(mount.columns.map((c) => [c.itemId, c.column]))
  const byNameEn = new Map(items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))
  const conditions = []
  // Fail closed: a filter on a column the mounted data lacks returns nothing rather than everything.
  for (const [key, condition] of Object.entries(grant.rowFilter)) {
    const column = columnOf.get(byNameEn.get(key.toLowerCase())?.id ?? '')
    if (!column) return []
    conditions.push(rowConditionSql(column, condition))
  }
  for (const { item, value } of lookups) {
    const column = columnOf.get(item.id)
    if (!column) return []
    conditions.push(sql<boolean>`${sql.ref(column)}::text = ${value}`)
  }
  const selected = granted.filter(({ item }) => columnOf.has(item.id))
  if (selected.length === 0) return []
  const query = sql<Record<string, unknown>>`select ${sql.join(selected.map(({ item }, i) => sql`${sql.ref(columnOf.get(item.id)!)} as ${sql.raw(`c${i}`)}`))}
    from ${sql.table(mount.tableName)}
    ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
    order by _line limit ${limit} offset ${offset}`
  let rows: Record<string, unknown>[]
  try {
    rows = (await query.execute(call.db)).rows
  } catch (error) {
    // A re-upload swapped and dropped the table between lookup and read: read the new batch once more.
    if ((error as { code?: string }).code !== '42P01') throw error
    const fresh = await findActiveTableMount(call.db, grant.resourceId)
    if (!fresh) throw refuse.noData()
    return readMountedTable(call, fresh, grant, items, granted, lookups, limit, offset)
  }
  return rows.map((row) => Object.fromEntries(selected.map(({ key }, i) => [key, row[`c${i}`]])))
}

async function proxyUpstream(
  api: NonNullable<Awaited<ReturnType<typeof findApiMount>>>,
  grant: Grant,
  items: readonly StoredItem[],
  granted: Granted,
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const url = new URL(api.upstreamUrl)
  const params = Object.fromEntries(lookups.map(({ item, value }) => [item.nameEn!, value]))
  if (api.method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  let response: Response
  try {
    response = await fetch(url, {
      method: api.method,
      headers: api.method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: api.method === 'POST' ? JSON.stringify(params) : undefined,
      signal: AbortSignal.timeout(api.timeoutMs ?? 5000),
      redirect: 'error',
    })
  } catch (error) {
    throw (error as Error).name === 'TimeoutError' ? refuse.timeout() : refuse.upstream('数据源无法访问')
  }
  if (!response.ok) throw refuse.upstream(`数据源返回错误（HTTP ${response.status}）`)
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw refuse.upstream('数据源返回的不是 JSON')
  }
  const list = Array.isArray(body) ? body : ((body as { items?: unknown; data?: unknown })?.items ?? (body as { data?: unknown })?.data)
  if (!Array.isArray(list)) throw refuse.upstream('数据源返回格式无法识别（应为数组或 {items: [...]}）')
  const byNameEn = new Map(items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))
  const filters = Object.entries(grant.rowFilter).map(([key, condition]) => ({ key: byNameEn.get(key.toLowerCase())?.nameEn ?? key, condition }))
  const rows = list.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
  return rows
    .filter((row) => filters.every(({ key, condition }) => rowMatches(row[key], condition)))
    .filter((row) => lookups.every(({ item, value }) => String(row[item.nameEn!]) === value))
    .slice(offset, offset + limit)
    .map((row) => Object.fromEntries(granted.map(({ key }) => [key, row[key] ?? null])))
}

async function recordCall(call: RecordsCall, facts: CallFacts, requestInAt: Date, result: unknown, failure: unknown) {
  const refusal = failure instanceof GatewayRefusal ? failure : null
  const outcome: 'success' | 'denied' | 'error' = !failure ? 'success' : refusal && refusal.statusCode < 500 ? 'denied' : 'error'
  const responseOutAt = call.now()
  const paramsDigest = sm3Hex(JSON.stringify(call.query))
  try {
    await call.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('callLogs')
        .values({
          requestInAt,
          upstreamOutAt: facts.upstreamOutAt ?? null,
          upstreamInAt: facts.upstreamInAt ?? null,
          responseOutAt,
          requestBytes: call.requestBytes,
          responseBytes: result ? Buffer.byteLength(JSON.stringify(result)) : 0,
          consumerOrgId: facts.app?.orgId ?? null,
          appId: facts.app?.appId ?? null,
          resourceId: call.resourceId,
          providerOrgId: facts.providerOrgId ?? null,
          grantId: facts.grant?.id ?? null,
          requestId: call.requestId,
          ip: call.ip,
          paramsDigest,
          rowsReturned: facts.rows,
          result: outcome,
          errorClass: refusal?.errorClass ?? (failure ? '调用失败' : null),
          errorCode: refusal?.code ?? (failure ? 'INTERNAL_ERROR' : null),
          businessRef: call.businessRef,
        })
        .execute()
      if (outcome === 'success' && facts.grant) {
        await recordUsage(trx, { grantId: facts.grant.id, at: responseOutAt, appId: facts.app?.appId, businessRef: call.businessRef, purpose: facts.grant.purpose, rows: facts.rows })
      }
      await appendAudit(trx, { actorId: null, orgId: facts.app?.orgId ?? null, roles: ['APP'], ip: call.ip, requestId: call.requestId, at: responseOutAt }, {
        action: 'gateway.records.read',
        result: outcome,
        objectType: 'resource',
        objectId: call.resourceId,
        grantId: facts.grant?.id ?? null,
        appId: facts.app?.appId ?? null,
        detail: { rows: facts.rows, ...(refusal ? { code: refusal.code } : {}), paramsDigest },
      })
    })
  } catch (error) {
    // Data never leaves unrecorded: a failed log turns a success into an error. A refusal keeps its own answer.
    call.log.error({ err: error }, 'gateway call log failed')
    if (outcome === 'success') throw error
  }
}
