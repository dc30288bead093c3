import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { type SheetColumn, beijingDateTime, pagedAfter, xlsxStream } from '../../platform/http/spreadsheet.ts'
import { MODE_LABELS } from './delivery.ts'
import { GRANT_STATUS_LABELS, type GrantExportQuery, REQUEST_STATUS_LABELS, type RequestExportQuery } from './schemas.ts'

/**
 * 台账: the requests and grants a department reports from, as Excel, with the list's scope and
 * filters, oldest first, streamed a page at a time. Each export is recorded in the audit chain first.
 */

const PAGE = 1000
type Item = { id: string; name: string }
const itemNames = (items: readonly Item[], ids: readonly string[]) => ids.map((id) => items.find((i) => i.id === id)?.name ?? '（已删除的信息项）').join('、')
const dateTime = (at: Date | string | null) => (at ? beijingDateTime(at) : '')
// Keyset on (created_at, id): a stable order that a request made during the export cannot shift.
const after = (alias: 's' | 'g', last: { createdAt: Date | string; id: string } | null) =>
  last ? sql<boolean>`(${sql.ref(`${alias}.created_at`)}, ${sql.ref(`${alias}.id`)}) > (${new Date(last.createdAt)}, ${last.id})` : sql<boolean>`true`

const requestPage = (db: Executor, ctx: Ctx, query: RequestExportQuery, last: { createdAt: Date; id: string } | null) =>
  db
    .selectFrom('shareRequests as s')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 's.resourceId').onRef('v.version', '=', 's.resourceVersion'))
    .innerJoin('orgs as p', 'p.id', 's.providerOrgId')
    .innerJoin('orgs as q', 'q.id', 's.requesterOrgId')
    .leftJoin('users as u', 'u.id', 's.requesterId')
    .where(scopeWhere(scopeOf(ctx.actor, 'sharing.request.read'), { requesterOrgId: sql.ref('s.requesterOrgId'), providerOrgId: sql.ref('s.providerOrgId') }))
    .$if(query.box === 'mine', (qb) => qb.where('s.requesterOrgId', '=', ctx.actor.orgId))
    .$if(query.box === 'incoming', (qb) => qb.where('s.providerOrgId', '=', ctx.actor.orgId))
    .$if(!!query.status, (qb) => qb.where('s.status', '=', query.status!))
    .$if(!!query.resourceId, (qb) => qb.where('s.resourceId', '=', query.resourceId!))
    .where(after('s', last))
    .select([
      's.id',
      's.no',
      's.createdAt',
      's.itemIds',
      's.purpose',
      's.dutyBasis',
      's.mode',
      's.status',
      's.dueDate',
      's.decidedAt',
      's.decisionReason',
      's.validUntil',
      'v.name as resourceName',
      'v.items as versionItems',
      'p.name as providerName',
      'q.name as requesterOrgName',
      'u.name as requesterName',
    ])
    .orderBy('s.createdAt')
    .orderBy('s.id')
    .limit(PAGE)
    .execute()

type RequestRow = Awaited<ReturnType<typeof requestPage>>[number]

const REQUEST_COLUMNS: SheetColumn<RequestRow>[] = [
  { header: '申请编号', width: 16, value: (r) => r.no },
  { header: '提交时间（北京时间）', width: 21, value: (r) => dateTime(r.createdAt) },
  { header: '申请单位', width: 26, value: (r) => r.requesterOrgName },
  { header: '申请人', width: 10, value: (r) => r.requesterName ?? '' },
  { header: '资源名称', width: 28, value: (r) => r.resourceName },
  { header: '提供单位', width: 26, value: (r) => r.providerName },
  { header: '申请信息项', width: 40, value: (r) => itemNames(r.versionItems as Item[], r.itemIds) },
  { header: '使用用途', width: 10, value: (r) => r.purpose },
  { header: '履职依据', width: 36, value: (r) => r.dutyBasis },
  { header: '共享方式', width: 8, value: (r) => MODE_LABELS[r.mode] },
  { header: '状态', width: 14, value: (r) => REQUEST_STATUS_LABELS[r.status] },
  { header: '答复期限', width: 12, value: (r) => r.dueDate ?? '' },
  { header: '办结时间（北京时间）', width: 21, value: (r) => dateTime(r.decidedAt) },
  { header: '审批意见或拒绝理由', width: 40, value: (r) => r.decisionReason ?? '' },
  { header: '申请有效期至', width: 12, value: (r) => r.validUntil },
]

const grantPage = (db: Executor, ctx: Ctx, query: GrantExportQuery, last: { createdAt: Date; id: string } | null) =>
  db
    .selectFrom('grants as g')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'g.resourceId').on('v.isLatest', '=', true))
    .innerJoin('orgs as p', 'p.id', 'g.providerOrgId')
    .innerJoin('orgs as c', 'c.id', 'g.consumerOrgId')
    .where(scopeWhere(scopeOf(ctx.actor, 'sharing.grant.read'), { consumerOrgId: sql.ref('g.consumerOrgId'), providerOrgId: sql.ref('g.providerOrgId') }))
    .$if(query.box === 'mine', (qb) => qb.where('g.consumerOrgId', '=', ctx.actor.orgId))
    .$if(query.box === 'provided', (qb) => qb.where('g.providerOrgId', '=', ctx.actor.orgId))
    .$if(!!query.status, (qb) => qb.where('g.status', '=', query.status!))
    .$if(!!query.resourceId, (qb) => qb.where('g.resourceId', '=', query.resourceId!))
    .where(after('g', last))
    .select([
      'g.id',
      'g.createdAt',
      'g.itemIds',
      'g.purpose',
      'g.mode',
      'g.validFrom',
      'g.validUntil',
      'g.status',
      'g.statusReason',
      'v.name as resourceName',
      'v.items as versionItems',
      'p.name as providerName',
      'c.name as consumerName',
    ])
    .orderBy('g.createdAt')
    .orderBy('g.id')
    .limit(PAGE)
    .execute()

type GrantRow = Awaited<ReturnType<typeof grantPage>>[number]

const GRANT_COLUMNS: SheetColumn<GrantRow>[] = [
  { header: '授权时间（北京时间）', width: 21, value: (r) => dateTime(r.createdAt) },
  { header: '资源名称', width: 28, value: (r) => r.resourceName },
  { header: '提供单位', width: 26, value: (r) => r.providerName },
  { header: '使用单位', width: 26, value: (r) => r.consumerName },
  { header: '授权信息项', width: 40, value: (r) => itemNames(r.versionItems as Item[], r.itemIds) },
  { header: '使用用途', width: 10, value: (r) => r.purpose },
  { header: '共享方式', width: 8, value: (r) => MODE_LABELS[r.mode] },
  { header: '有效期自', width: 12, value: (r) => r.validFrom },
  { header: '有效期至', width: 12, value: (r) => r.validUntil },
  { header: '状态', width: 8, value: (r) => GRANT_STATUS_LABELS[r.status] },
  { header: '状态说明', width: 30, value: (r) => r.statusReason ?? '' },
]

const conditionsOf = (query: object) => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined))

/** GET /share-requests/export: 申请台账. */
export async function exportShareRequests(ctx: Ctx, query: RequestExportQuery) {
  await recordAudit(ctx.db, ctx, { action: 'sharing.request.export', objectType: 'share_requests', detail: { format: 'xlsx', filters: conditionsOf(query) } })
  return xlsxStream(
    '共享申请',
    REQUEST_COLUMNS,
    pagedAfter<RequestRow>((last) => requestPage(ctx.db, ctx, query, last), PAGE),
  )
}

/** GET /grants/export: 授权台账. */
export async function exportGrants(ctx: Ctx, query: GrantExportQuery) {
  await recordAudit(ctx.db, ctx, { action: 'sharing.grant.export', objectType: 'grants', detail: { format: 'xlsx', filters: conditionsOf(query) } })
  return xlsxStream(
    '数据授权',
    GRANT_COLUMNS,
    pagedAfter<GrantRow>((last) => grantPage(ctx.db, ctx, query, last), PAGE),
  )
}
