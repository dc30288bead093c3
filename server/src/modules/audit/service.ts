import { Readable } from 'node:stream'
import { sql } from 'kysely'
import type { Scope } from '../../../../common/policy/index.ts'
import { THREE_ADMINS } from '../../../../common/policy/identity.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { verifyAuditChain } from '../../platform/audit/chain.ts'
import { checkChainAgainstCheckpoint, checkpointSettingsOf } from '../../platform/audit/checkpoint.ts'
import { verifyCallLogSeals } from '../../platform/audit/call-seal.ts'
import { BEIJING_OFFSET_MS } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { type SheetColumn, xlsxStream } from '../../platform/http/spreadsheet.ts'
import { containsPattern } from '../../platform/db/like.ts'
import { objectNames } from './object-names.ts'
import type { AuditExportQuery, AuditFilters, AuditQuery } from './schemas.ts'

/** Columns a policy scope may name on audit events: whether one of the three administrators acted. */
const SCOPE_COLUMNS = {
  byAdministrator: sql<boolean>`coalesce(${sql.ref('auditEvents.roles')} && ${sql.val([...THREE_ADMINS])}::text[], false)`,
}

const filtered = (db: Executor, scope: Scope, query: AuditFilters) =>
  db
    .selectFrom('auditEvents')
    .where(scopeWhere(scope, SCOPE_COLUMNS))
    .$if(!!query.actorId, (qb) => qb.where('auditEvents.actorId', '=', query.actorId!))
    .$if(!!query.orgId, (qb) => qb.where('auditEvents.orgId', '=', query.orgId!))
    .$if(!!query.appId, (qb) => qb.where('auditEvents.appId', '=', query.appId!))
    .$if(!!query.action, (qb) => qb.where('auditEvents.action', '=', query.action!))
    .$if(!!query.actions, (qb) => qb.where('auditEvents.action', 'in', actionList(query.actions!)))
    // The operator as people know them: part of the name or of the account.
    .$if(!!query.actor?.trim(), (qb) =>
      qb.where('auditEvents.actorId', 'in', (eb) =>
        eb
          .selectFrom('users')
          .select('users.id')
          .where((w) =>
            w.or([w('users.name', 'ilike', containsPattern(query.actor!.trim())), w('users.username', 'ilike', containsPattern(query.actor!.trim()))]),
          ),
      ),
    )
    // LIKE metacharacters in the prefix are taken literally.
    .$if(!!query.actionPrefix, (qb) => qb.where('auditEvents.action', 'like', `${query.actionPrefix!.replace(/[\\%_]/g, '\\$&')}%`))
    .$if(!!query.objectType, (qb) => qb.where('auditEvents.objectType', '=', query.objectType!))
    .$if(!!query.objectId, (qb) => qb.where('auditEvents.objectId', '=', query.objectId!))
    .$if(!!query.result, (qb) => qb.where('auditEvents.result', '=', query.result!))
    // A gateway call committed with others is sealed by an event that lists its request id in the detail
    // (indexed: migration 0020).
    .$if(!!query.requestId, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('auditEvents.requestId', '=', query.requestId!),
          sql<boolean>`${sql.ref('auditEvents.detail')} -> 'requestIds' @> jsonb_build_array(${query.requestId!}::text)`,
        ]),
      ),
    )
    .$if(!!query.grantId, (qb) => qb.where('auditEvents.grantId', '=', query.grantId!))
    .$if(!!query.from, (qb) => qb.where('auditEvents.at', '>=', new Date(query.from!)))
    .$if(!!query.to, (qb) => qb.where('auditEvents.at', '<=', new Date(query.to!)))

/** `a.b.c,d.e.f` → the distinct codes (the console sends every code that carries one Chinese label). */
const actionList = (actions: string) => [
  ...new Set(
    actions
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  ),
]

/** Events with who acted as people know them: account, name, department and app (list and export alike). */
const withNames = (db: Executor, scope: Scope, query: AuditFilters) =>
  filtered(db, scope, query)
    .leftJoin('users', 'users.id', 'auditEvents.actorId')
    .leftJoin('orgs', 'orgs.id', 'auditEvents.orgId')
    .leftJoin('apps', 'apps.id', 'auditEvents.appId')
    .selectAll('auditEvents')
    .select(['users.username', 'users.name as userName', 'orgs.name as orgName', 'apps.name as appName'])

/** A search of the log, within the caller's scope; the search itself is recorded (who looked for what). */
export async function listAuditEvents(ctx: Ctx, query: AuditQuery) {
  const { page, pageSize, ...filters } = query
  const conditions = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined))
  await recordAudit(ctx.db, ctx, { action: 'audit.event.list', objectType: 'audit_events', detail: { filters: conditions, page } })
  const scope = scopeOf(ctx.actor, 'audit.event.list')
  const [rows, total] = await Promise.all([
    withNames(ctx.db, scope, query).orderBy('auditEvents.id', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    filtered(ctx.db, scope, query)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  const names = await objectNames(ctx.db, rows)
  const items = rows.map((row) => ({ ...row, objectName: names.get(`${row.objectType}:${row.objectId}`) ?? null }))
  return { items, total: total.n, page: query.page, pageSize: query.pageSize }
}

/**
 * The SM3 chain, the gateway call logs its seals cover, and the chain against the latest signed
 * checkpoint kept outside the database (one answer: ok only if all three hold).
 */
export async function verifyChain(ctx: Ctx) {
  const chain = await verifyAuditChain(ctx.db)
  const callLogs = await verifyCallLogSeals(ctx.db)
  const checkpoint = await checkChainAgainstCheckpoint(ctx.db, checkpointSettingsOf(ctx.config))
  const ok = chain.ok && callLogs.ok && checkpoint.ok
  // Recorded after the check, so the check covers the chain as the auditor found it.
  await recordAudit(ctx.db, ctx, {
    action: 'audit.chain.verify',
    objectType: 'audit_events',
    result: ok ? 'success' : 'error',
    detail: { ok, count: chain.count, firstBadId: chain.firstBadId, checkpoint: checkpoint.code },
  })
  return { ...chain, ok, callLogs, checkpoint }
}

// ---- export ----

const PAGE = 2000
/** Excel's sheet holds 1,048,576 rows; an XLSX export stops short of it (CSV has no limit). */
export const XLSX_MAX_ROWS = 1_000_000

const RESULT_LABELS: Record<string, string> = { success: '成功', denied: '拒绝', error: '错误' }

const COLUMNS: SheetColumn<ExportRow>[] = [
  { header: '序号', width: 10, value: (r) => r.id },
  { header: '时间（北京时间）', width: 24, value: (r) => beijingTimestamp(new Date(r.at)) },
  { header: '操作人账号', width: 16, value: (r) => r.username ?? '' },
  { header: '操作人姓名', width: 12, value: (r) => r.userName ?? '' },
  { header: '操作人ID', width: 38, value: (r) => r.actorId ?? '' },
  { header: '单位', width: 24, value: (r) => r.orgName ?? '' },
  { header: '单位ID', width: 38, value: (r) => r.orgId ?? '' },
  { header: '角色', width: 16, value: (r) => r.roles.join(',') },
  { header: '调用应用ID', width: 38, value: (r) => r.appId ?? '' },
  { header: '操作', width: 30, value: (r) => r.action },
  { header: '对象类型', width: 16, value: (r) => r.objectType ?? '' },
  { header: '对象ID', width: 38, value: (r) => r.objectId ?? '' },
  { header: '结果', width: 8, value: (r) => RESULT_LABELS[r.result] ?? r.result },
  { header: 'IP', width: 16, value: (r) => r.ip ?? '' },
  { header: '请求ID', width: 38, value: (r) => r.requestId ?? '' },
  { header: '授权ID', width: 38, value: (r) => r.grantId ?? '' },
  // Added after the first release's columns, so their positions stay where readers' scripts expect them.
  { header: '调用应用', width: 20, value: (r) => r.appName ?? '' },
  { header: '详情', width: 40, value: (r) => JSON.stringify(r.detail) },
  { header: '前序哈希', width: 66, value: (r) => r.prevHash },
  { header: '哈希（SM3）', width: 66, value: (r) => r.hash },
]

type ExportRow = Awaited<ReturnType<typeof exportPage>>[number]

/** 2026-03-02 10:00:00.123 in Beijing time (the time auditors reason in). */
function beijingTimestamp(at: Date) {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().replace('T', ' ').replace('Z', '')
}

const exportPage = (db: Executor, scope: Scope, query: AuditFilters, afterId: number, maxId: number) =>
  withNames(db, scope, query).where('auditEvents.id', '>', afterId).where('auditEvents.id', '<=', maxId).orderBy('auditEvents.id').limit(PAGE).execute()

/** Rows in id order, a page at a time (a large export never sits in memory or in one long query). */
async function* exportRows(db: Executor, scope: Scope, query: AuditFilters, maxId: number, limit = Number.POSITIVE_INFINITY): AsyncGenerator<ExportRow> {
  let afterId = 0
  let sent = 0
  for (;;) {
    const rows = await exportPage(db, scope, query, afterId, maxId)
    for (const row of rows) {
      if (sent++ >= limit) return
      yield row
    }
    if (rows.length < PAGE) return
    afterId = rows[rows.length - 1].id
  }
}

/** CSV cell: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvCell(value: string | number): string {
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

async function* csvLines(rows: AsyncGenerator<ExportRow>): AsyncGenerator<string> {
  // The BOM makes Excel read the file as UTF-8 (Chinese text shows correctly on double-click).
  yield `\uFEFF${COLUMNS.map((c) => csvCell(c.header)).join(',')}\r\n`
  let batch = ''
  let n = 0
  for await (const row of rows) {
    batch += `${COLUMNS.map((c) => csvCell(c.value(row))).join(',')}\r\n`
    if (++n % 500 === 0) {
      yield batch
      batch = ''
    }
  }
  if (batch) yield batch
}

/**
 * The auditor's export: every event matching the filters, oldest first, streamed as CSV (UTF-8 with
 * BOM) or XLSX. The export is itself recorded in the chain first, with its filters; it covers the
 * events up to that moment (not itself).
 */
export async function exportAuditEvents(ctx: Ctx, query: AuditExportQuery) {
  const { format, ...filters } = query
  const head = await ctx.db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.max('id').as('maxId'))
    .executeTakeFirstOrThrow()
  const maxId = Number(head.maxId ?? 0)
  const conditions = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined))
  await recordAudit(ctx.db, ctx, { action: 'audit.event.export', objectType: 'audit_events', detail: { format, filters: conditions, upToId: maxId } })
  const stamp = beijingTimestamp(ctx.now()).slice(0, 19).replace(/[-: ]/g, '')
  const rows = exportRows(ctx.db, scopeOf(ctx.actor, 'audit.event.list'), filters, maxId, format === 'xlsx' ? XLSX_MAX_ROWS : undefined)
  if (format === 'xlsx') {
    return {
      stream: xlsxStream('审计日志', COLUMNS, rows),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: `审计日志-${stamp}.xlsx`,
      asciiFilename: `audit-events-${stamp}.xlsx`,
    }
  }
  return {
    stream: Readable.from(csvLines(rows)),
    contentType: 'text/csv; charset=utf-8',
    filename: `审计日志-${stamp}.csv`,
    asciiFilename: `audit-events-${stamp}.csv`,
  }
}
