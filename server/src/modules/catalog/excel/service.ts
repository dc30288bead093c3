import { FORMAT_CLASSES, RESOURCE_STATUSES, SHARE_MODES, SHARE_TYPES, UPDATE_CYCLES } from '../../../../../common/catalog.ts'
import { LIMITS } from '../../../../../common/limits.ts'
import { recordAudit } from '../../../platform/audit/record.ts'
import { authorize } from '../../../platform/auth/policy.ts'
import type { Ctx } from '../../../platform/context.ts'
import { validationFailed } from '../../../platform/http/errors.ts'
import type { UploadLease } from '../../../platform/uploads/memory-budget.ts'
import { findOrg } from '../../orgs/index.ts'
import type { ResourceOut } from '../schemas.ts'
import { insertDraft, searchCatalog } from '../service.ts'
import type { ExportQuery, ImportResultOut } from './schemas.ts'
import { type RowProblem, byPosition, locate, pathOf, readCatalogWorkbook } from './workbook-read.ts'
import { writeCatalogWorkbook } from './workbook-write.ts'
import { beijingWallClock } from '../../../platform/calendar/dates.ts'

/** An export holds at most as many entries as one import accepts, so it always re-imports. */
export const EXPORT_MAX = LIMITS.importRows

export interface ImportUpload {
  data: Buffer
  filename: string
  /** Load the valid entries and list the others, instead of all-or-nothing. */
  loadValid: boolean
  /** The upload's share of the memory budget (the parse reserves the loaded workbook in it). */
  lease: UploadLease | null
}

/** `信息资源!第3行.共享条件`: the API.md `details[].field` of a problem in a sheet. */
export const detailField = (p: RowProblem) => `${p.sheet}!第${p.line}行.${p.column}`

function importFailed(problems: RowProblem[]) {
  const lines = new Set(problems.map((p) => `${p.sheet}:${p.line}`)).size
  return validationFailed(
    problems.map((p) => ({ field: detailField(p), message: p.message })),
    `导入文件有 ${problems.length} 处错误（共 ${lines} 行），未导入任何目录。请按提示修改后重新导入，或选择「只导入无误的目录」`,
  )
}

/**
 * Imports a workbook as drafts of the caller's department, in one transaction: every entry is
 * validated by insertDraft (the same checks as creating one by hand). All or nothing, unless
 * `loadValid`: then the valid entries are created and the others listed.
 */
export async function importCatalog(ctx: Ctx, upload: ImportUpload): Promise<ImportResultOut> {
  authorize(ctx.actor, 'catalog.resource.import')
  authorize(ctx.actor, 'catalog.resource.create', { providerOrgId: ctx.actor.orgId })
  // Reading the file needs no database: do it before the transaction starts.
  const read = await readCatalogWorkbook(upload.data, upload.lease)
  return ctx.db.transaction().execute(async (trx) => {
    const org = await findOrg(trx, ctx.actor.orgId)
    const problems: RowProblem[] = [...read.strayProblems]
    const ids: string[] = []
    for (const entry of read.entries) {
      const own = [...entry.problems]
      if (entry.providerCode && org?.code && entry.providerCode.toUpperCase() !== org.code.toUpperCase()) {
        own.push({
          sheet: '信息资源',
          line: entry.line,
          column: '资源提供方代码',
          message: `资源提供方代码 ${entry.providerCode} 不是本单位（${org.name}，${org.code}）的统一社会信用代码；导入的目录只能属于本单位，请改为本单位代码或清空此列`,
        })
      }
      if (own.length === 0 && entry.body) {
        const drafted = await insertDraft(trx, ctx, entry.body)
        if (drafted.id) ids.push(drafted.id)
        else own.push(...drafted.problems.map((p) => locate(entry, pathOf(p.field), p.message)))
      }
      problems.push(...own)
    }
    problems.sort(byPosition)
    if (problems.length > 0 && !upload.loadValid) throw importFailed(problems)
    await recordAudit(trx, ctx, {
      action: 'catalog.resource.import',
      objectType: 'resource',
      detail: {
        file: upload.filename.slice(0, 200),
        entries: read.entries.length,
        created: ids.length,
        rejectedLines: new Set(problems.map((p) => `${p.sheet}:${p.line}`)).size,
        loadValid: upload.loadValid,
      },
    })
    return { created: ids.length, ids, rejected: problems, ignoredColumns: read.ignoredColumns }
  })
}

/** The export's filters in words, for the workbook's 「说明」 sheet. */
function describeFilters(query: ExportQuery): string {
  const label = (table: Record<string | number, string>, key: string | number | undefined) => (key === undefined ? undefined : (table[key] ?? String(key)))
  const parts = [
    query.q && `检索词「${query.q}」`,
    query.classCode && `分类 ${query.classCode}`,
    query.providerOrgId && `提供方 ${query.providerOrgId}`,
    query.shareType && `共享类型 ${label(SHARE_TYPES, query.shareType)}`,
    query.status && `状态 ${label(RESOURCE_STATUSES, query.status)}`,
    query.updateCycle && `更新周期 ${label(UPDATE_CYCLES, query.updateCycle)}`,
    query.formatClass && `格式分类 ${label(FORMAT_CLASSES, query.formatClass)}`,
    query.shareMode && `共享方式 ${label(SHARE_MODES, query.shareMode)}`,
    query.mine === 'true' && '仅本单位',
  ]
  return parts.filter(Boolean).join('；')
}

/** `20260302-1000` in Beijing time. */
const stampOf = (at: Date) => beijingWallClock(at).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')

/**
 * The entries the caller can see that match the search, as a workbook (same layout as import).
 * The pages are read in one read-only snapshot so the file is consistent; capped at EXPORT_MAX.
 */
export async function exportCatalog(ctx: Ctx, query: ExportQuery) {
  authorize(ctx.actor, 'catalog.resource.export')
  const pageSize = LIMITS.pageSizeMax
  const { entries, total } = await ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const snapshot: Ctx = { ...ctx, db: trx }
      const found: ResourceOut[] = []
      let matches = 0
      for (let page = 1; found.length < EXPORT_MAX; page++) {
        const result = await searchCatalog(snapshot, { ...query, page, pageSize })
        matches = result.total
        found.push(...result.items)
        if (result.items.length < pageSize || found.length >= matches) break
      }
      return { entries: found.slice(0, EXPORT_MAX), total: matches }
    })
  const at = ctx.now()
  const data = await writeCatalogWorkbook(entries, {
    at,
    actorName: ctx.actor.name,
    orgName: ctx.actor.orgName,
    filters: describeFilters(query),
    total,
  })
  // A read changes nothing, so its audit event is appended on its own (not inside the snapshot).
  await recordAudit(ctx.db, ctx, {
    action: 'catalog.resource.export',
    objectType: 'resource',
    detail: { count: entries.length, total, filters: { ...query } },
  })
  const stamp = stampOf(at)
  return {
    data,
    count: entries.length,
    total,
    filename: `政务信息资源目录_${stamp}.xlsx`,
    asciiFilename: `govshare-catalog-${stamp}.xlsx`,
  }
}
