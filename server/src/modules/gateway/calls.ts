import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { type SheetColumn, beijingDateTime, pagedAfter, xlsxStream } from '../../platform/http/spreadsheet.ts'
import type { CallExportQuery, CallListQuery } from './schemas.ts'

// A Beijing calendar day as an instant range: from its 00:00 to the next day's 00:00 (UTC+8 has no DST).
const dayStart = (date: string) => new Date(`${date}T00:00:00+08:00`)
const dayAfter = (date: string) => new Date(dayStart(date).getTime() + 86_400_000)

/** Calls within the policy's scope and the filters; `box` picks the side the department is on. */
function filteredCalls(db: Executor, ctx: Ctx, query: Omit<CallExportQuery, 'page' | 'pageSize'>) {
  return db
    .selectFrom('callLogs')
    .leftJoin('apps', 'apps.id', 'callLogs.appId')
    .where(
      scopeWhere(scopeOf(ctx.actor, 'gateway.call.list'), {
        consumerOrgId: sql.ref('callLogs.consumerOrgId'),
        providerOrgId: sql.ref('callLogs.providerOrgId'),
      }),
    )
    .$if(query.box === 'mine', (qb) => qb.where('callLogs.consumerOrgId', '=', ctx.actor.orgId))
    .$if(query.box === 'provided', (qb) => qb.where('callLogs.providerOrgId', '=', ctx.actor.orgId))
    .$if(!!query.resourceId, (qb) => qb.where('callLogs.resourceId', '=', query.resourceId!))
    .$if(!!query.appId, (qb) => qb.where('callLogs.appId', '=', query.appId!))
    .$if(!!query.result, (qb) => qb.where('callLogs.result', '=', query.result!))
    .$if(!!query.from, (qb) => qb.where('callLogs.requestInAt', '>=', dayStart(query.from!)))
    .$if(!!query.to, (qb) => qb.where('callLogs.requestInAt', '<', dayAfter(query.to!)))
}

const date = (v: Date | string | null) => (v ? new Date(v) : null)

/** Call records (S13) within the policy's scope: consumers their own calls, providers who called their data; the authority and auditors all. */
export async function listCalls(ctx: Ctx, query: CallListQuery) {
  const base = filteredCalls(ctx.db, ctx, query)
  const [rows, total] = await Promise.all([
    base.selectAll('callLogs').select('apps.name as appName').orderBy('callLogs.id', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: rows.map((r) => ({
      ...r,
      requestInAt: new Date(r.requestInAt),
      responseOutAt: new Date(r.responseOutAt),
      upstreamOutAt: date(r.upstreamOutAt),
      upstreamInAt: date(r.upstreamInAt),
    })),
    total: Number(total.n),
    page: query.page,
    pageSize: query.pageSize,
  }
}

// ---- 调用台账 (Excel) ----

const PAGE = 2000
const RESULT_LABELS = { success: '成功', denied: '拒绝', error: '出错' } as const

const exportPage = (db: Executor, ctx: Ctx, query: CallExportQuery, afterId: number | null, maxId: number) =>
  filteredCalls(db, ctx, query)
    .leftJoin('orgs as consumer', 'consumer.id', 'callLogs.consumerOrgId')
    .leftJoin('orgs as provider', 'provider.id', 'callLogs.providerOrgId')
    // The name of the entry's current version (published, else the latest): what the department knows it by.
    .leftJoin('resources as r', 'r.id', 'callLogs.resourceId')
    .leftJoin('resourceVersions as v', (join) =>
      join.onRef('v.resourceId', '=', 'r.id').on(sql<boolean>`v.version = coalesce(r.published_version, r.latest_version)`),
    )
    .select([
      'callLogs.id',
      'callLogs.requestInAt',
      'callLogs.responseOutAt',
      'callLogs.rowsReturned',
      'callLogs.result',
      'callLogs.businessRef',
      'callLogs.ip',
      'apps.name as appName',
      'consumer.name as consumerName',
      'provider.name as providerName',
      'v.name as resourceName',
    ])
    .where('callLogs.id', '<=', maxId)
    .$if(afterId !== null, (qb) => qb.where('callLogs.id', '>', afterId!))
    .orderBy('callLogs.id')
    .limit(PAGE)
    .execute()

type ExportRow = Awaited<ReturnType<typeof exportPage>>[number]

const COLUMNS: SheetColumn<ExportRow>[] = [
  { header: '调用时间（北京时间）', width: 21, value: (r) => beijingDateTime(r.requestInAt) },
  { header: '调用单位', width: 28, value: (r) => r.consumerName ?? '' },
  { header: '调用应用', width: 24, value: (r) => r.appName ?? '' },
  { header: '资源名称', width: 30, value: (r) => r.resourceName ?? '' },
  { header: '提供单位', width: 28, value: (r) => r.providerName ?? '' },
  { header: '返回行数', width: 10, value: (r) => r.rowsReturned },
  { header: '结果', width: 8, value: (r) => RESULT_LABELS[r.result] },
  { header: '耗时（毫秒）', width: 12, value: (r) => Math.max(0, new Date(r.responseOutAt).getTime() - new Date(r.requestInAt).getTime()) },
  { header: '办件号', width: 20, value: (r) => r.businessRef ?? '' },
  { header: '来源 IP', width: 16, value: (r) => r.ip ?? '' },
]

/**
 * 调用台账: the calls the department may list, with the same filters, oldest first, streamed as XLSX.
 * The export is recorded in the audit chain first (with its filters); it covers the calls up to then.
 */
export async function exportCalls(ctx: Ctx, query: CallExportQuery) {
  const head = await ctx.db
    .selectFrom('callLogs')
    .select((eb) => eb.fn.max('id').as('maxId'))
    .executeTakeFirstOrThrow()
  const maxId = Number(head.maxId ?? 0)
  const filters = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined))
  await recordAudit(ctx.db, ctx, { action: 'gateway.call.export', objectType: 'call_logs', detail: { format: 'xlsx', filters, upToId: maxId } })
  return xlsxStream(
    '调用记录',
    COLUMNS,
    pagedAfter<ExportRow>((last) => exportPage(ctx.db, ctx, query, last?.id ?? null, maxId), PAGE),
  )
}
