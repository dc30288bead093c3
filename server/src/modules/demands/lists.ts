import { SHARE_TYPE } from '../../../../common/catalog.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import { XLSX_CONTENT_TYPE, type SheetColumn, xlsxStream } from '../../platform/http/spreadsheet.ts'
import { visibleInZone } from '../catalog/index.ts'
import { demandList, present } from './service.ts'

/**
 * 负面清单 (DG22): data confirmed 不予共享, with its basis: every published entry or item of share
 * type 3. The catalog is open to every department, so this list is too.
 */
export async function negativeList(ctx: Ctx) {
  const entries = await ctx.db
    .selectFrom('resourceVersions as v')
    .innerJoin('orgs as p', 'p.id', 'v.providerOrgId')
    .select(['v.resourceId', 'v.name', 'v.shareType', 'v.shareBasis', 'v.shareCondition', 'v.items', 'v.secret', 'p.name as providerName'])
    .where('v.isPublished', '=', true)
    .orderBy('p.name')
    .orderBy('v.name')
    .execute()
  const rows: { resourceId: string; resourceName: string; providerName: string; itemName: string | null; basis: string }[] = []
  for (const entry of entries) {
    if (!visibleInZone(ctx.config.networkZone, entry)) continue
    const basis = entry.shareBasis ?? entry.shareCondition ?? ''
    if (entry.shareType === SHARE_TYPE.notShared)
      rows.push({ resourceId: entry.resourceId, resourceName: entry.name, providerName: entry.providerName, itemName: null, basis })
    else {
      for (const item of entry.items.filter((i) => i.shareType === SHARE_TYPE.notShared)) {
        rows.push({
          resourceId: entry.resourceId,
          resourceName: entry.name,
          providerName: entry.providerName,
          itemName: item.name,
          basis: item.shareCondition ?? basis,
        })
      }
    }
  }
  return rows
}

type Presented = ReturnType<typeof present>
const DEMAND_COLUMNS: SheetColumn<Presented>[] = [
  { header: '需求编号', width: 18, value: (d) => d.no },
  { header: '需求数据', width: 28, value: (d) => d.title },
  { header: '需要的信息项', width: 36, value: (d) => d.wantedItems.join('、') },
  { header: '需求部门', width: 24, value: (d) => d.requesterOrgName },
  { header: '使用用途', width: 12, value: (d) => d.purpose },
  { header: '履职依据', width: 36, value: (d) => d.dutyBasis },
  { header: '提供部门', width: 24, value: (d) => d.providerName ?? '' },
  { header: '状态', width: 24, value: (d) => d.statusLabel },
  { header: '办理期限', width: 12, value: (d) => d.dueDate ?? '' },
  { header: '登记时间', width: 12, value: (d) => beijingDateTime(d.createdAt).date },
]
const RESPONSIBILITY_COLUMNS: SheetColumn<Presented>[] = [
  { header: '提供部门', width: 24, value: (d) => d.providerName ?? '' },
  { header: '需求编号', width: 18, value: (d) => d.no },
  { header: '需求数据', width: 28, value: (d) => d.title },
  { header: '需求部门', width: 24, value: (d) => d.requesterOrgName },
  { header: '完成期限', width: 12, value: (d) => d.dueDate ?? '' },
  { header: '状态', width: 24, value: (d) => d.statusLabel },
  { header: '满足需求的目录', width: 28, value: (d) => d.resourceName ?? '' },
]
type Negative = Awaited<ReturnType<typeof negativeList>>[number]
const NEGATIVE_COLUMNS: SheetColumn<Negative>[] = [
  { header: '提供部门', width: 24, value: (n) => n.providerName },
  { header: '信息资源', width: 30, value: (n) => n.resourceName },
  { header: '不予共享的信息项', width: 24, value: (n) => n.itemName ?? '（整个目录）' },
  { header: '不予共享依据', width: 60, value: (n) => n.basis },
]

const TITLES = { demand: ['需求清单', 'demands'], responsibility: ['责任清单', 'responsibilities'], negative: ['负面清单', 'negative-list'] } as const

/** The three lists as streamed workbooks (a city has thousands of demands, not millions); each export is audited. */
export async function exportList(ctx: Ctx, list: 'demand' | 'responsibility' | 'negative') {
  await recordAudit(ctx.db, ctx, { action: 'demands.list.export', objectType: 'demand_list', detail: { list } })
  const [title, ascii] = TITLES[list]
  const stamp = beijingDateTime(ctx.now()).date.replaceAll('-', '')
  const stream =
    list === 'negative'
      ? xlsxStream(title, NEGATIVE_COLUMNS, await negativeList(ctx))
      : xlsxStream(title, list === 'demand' ? DEMAND_COLUMNS : RESPONSIBILITY_COLUMNS, (await demandList(ctx, list).execute()).map(present))
  return { stream, contentType: XLSX_CONTENT_TYPE, filename: `${title}-${stamp}.xlsx`, asciiFilename: `${ascii}-${stamp}.xlsx` }
}
