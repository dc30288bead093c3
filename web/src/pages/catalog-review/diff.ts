import { SHARE_MODES } from '../../../../common/catalog.ts'
import type { Item, Resource } from '../../api/catalog.ts'

const yesNo = (v: boolean | null | undefined) => (v === null || v === undefined ? '—' : v ? '是' : '否')
const text = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : String(v))

/** The entry fields compared side by side (label, value as shown). */
export const RESOURCE_DIFF_FIELDS: [string, (r: Resource) => string][] = [
  ['信息资源名称', (r) => r.name],
  ['资源分类', (r) => `${r.className}（${r.classCode}）`],
  ['资源摘要', (r) => r.abstract],
  ['格式', (r) => `${r.formatClassLabel} / ${r.formatType}${r.formatOther ? `（${r.formatOther}）` : ''}`],
  ['共享类型', (r) => r.shareTypeLabel],
  ['共享条件', (r) => text(r.shareCondition)],
  ['共享依据', (r) => text(r.shareBasis)],
  [
    '共享方式',
    (r) =>
      `${r.shareModeClass}${r.shareModes.length ? `：${r.shareModes.map((m) => SHARE_MODES[m as 'api'] ?? m).join('、')}` : ''}${r.shareModeReason ? `（${r.shareModeReason}）` : ''}`,
  ],
  ['向社会开放', (r) => (r.openFlag ? `是（${text(r.openCondition)}）` : '否')],
  ['更新周期', (r) => `${r.updateCycleLabel}${r.updateTimeLimit ? `（${r.updateTimeLimit}）` : ''}`],
  ['数据分级', (r) => r.dataGrade],
  ['涉密属性', (r) => (r.secret ? '涉密' : '非涉密')],
  ['提供方内部部门', (r) => text(r.providerSubunit)],
  ['来源信息系统', (r) => text(r.sourceSystem)],
  ['共享咨询', (r) => [r.contactName, r.contactPhone].filter(Boolean).join('，') || '—'],
]

export const ITEM_DIFF_FIELDS: [string, (i: Item) => string][] = [
  ['信息项名称', (i) => i.name],
  ['英文名', (i) => text(i.nameEn)],
  ['数据类型', (i) => i.dataTypeLabel],
  ['长度', (i) => text(i.length)],
  ['共享类型', (i) => i.shareTypeLabel],
  ['共享条件', (i) => text(i.shareCondition)],
  ['敏感', (i) => yesNo(i.sensitive)],
  ['主键', (i) => yesNo(i.isPrimaryKey)],
]

export interface FieldRow {
  label: string
  before: string | null
  after: string
  changed: boolean
}

export function diffResource(before: Resource | null, after: Resource): FieldRow[] {
  return RESOURCE_DIFF_FIELDS.map(([label, get]) => {
    const a = get(after)
    const b = before ? get(before) : null
    return { label, before: b, after: a, changed: before !== null && a !== b }
  })
}

export type ItemChange = 'added' | 'removed' | 'changed' | 'same'
export interface ItemRow {
  key: string
  change: ItemChange
  before: Item | null
  after: Item | null
  /** Labels of the compared fields that differ. */
  changedFields: string[]
}

/** Items are matched by id (kept across versions), so a renamed item shows as changed, not removed + added. */
export function diffItems(before: Item[] | null, after: Item[]): ItemRow[] {
  const old = new Map((before ?? []).map((i) => [i.id, i]))
  const rows: ItemRow[] = after.map((item) => {
    const prev = old.get(item.id) ?? null
    old.delete(item.id)
    if (!prev) return { key: item.id, change: before ? 'added' : 'same', before: null, after: item, changedFields: [] }
    const changedFields = ITEM_DIFF_FIELDS.filter(([, get]) => get(prev) !== get(item)).map(([label]) => label)
    return { key: item.id, change: changedFields.length ? 'changed' : 'same', before: prev, after: item, changedFields }
  })
  for (const removed of old.values()) rows.push({ key: removed.id, change: 'removed', before: removed, after: null, changedFields: [] })
  return rows
}
