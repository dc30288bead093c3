import type { StoredItem } from '../../platform/db/schema.ts'
import type { MaskingRule, RowCondition } from '../../platform/db/schema.ts'
import type { ErrorDetail } from '../../platform/http/errors.ts'
import { maskedFilterKeys } from '../../platform/masking/masked-conditions.ts'
import { defaultMaskingFor } from '../../platform/masking/masking.ts'
import { type ReidentificationWarning, reidentificationWarnings } from '../../platform/masking/reidentification.ts'
import { SHARE_TYPE } from '../../../../common/catalog.ts'

/**
 * The terms of a grant (items, masking, row filter, validity) checked against what was requested and
 * what the catalog holds. Pure: the provider's decision, the authority's direct grant and the
 * automatic grant of unconditional data all build their terms here.
 */
export interface TermsInput {
  itemIds?: string[]
  masking?: Record<string, MaskingRule>
  rowFilter?: Record<string, RowCondition>
  validUntil?: string
  lookupKeys?: string[]
}

export interface GrantTerms {
  itemIds: string[]
  masking: Record<string, MaskingRule>
  rowFilter: Record<string, RowCondition>
  validUntil: string
  lookupKeys: string[]
}

/** What the terms' masking would let a consumer re-identify (platform/masking/reidentification.ts). */
export function termsWarnings(terms: GrantTerms, items: readonly StoredItem[]): ReidentificationWarning[] {
  const byId = new Map(items.map((item) => [item.id, item]))
  return reidentificationWarnings(terms.itemIds.filter((id) => byId.has(id)).map((id) => ({ id, name: byId.get(id)!.name, rule: terms.masking[id] })))
}

export function buildGrantTerms(
  requested: { itemIds: readonly string[]; validUntil: string },
  items: readonly StoredItem[],
  input: TermsInput,
  today: string,
): { terms: GrantTerms | null; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = []
  const byId = new Map(items.map((item) => [item.id, item]))
  const byNameEn = new Map(items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))
  const itemIds = input.itemIds ?? [...requested.itemIds]
  itemIds.forEach((id, i) => {
    if (!requested.itemIds.includes(id)) problems.push({ field: `itemIds[${i}]`, message: '只能在申请的信息项范围内授权（可收窄，不可扩大）' })
    else if (byId.get(id)?.shareType === SHARE_TYPE.notShared)
      problems.push({ field: `itemIds[${i}]`, message: `「${byId.get(id)!.name}」为不予共享信息项，不能授权` })
  })
  // Masking keys name an item by id or by nameEn, like lookupKeys and rowFilter do.
  const chosen = new Map<string, MaskingRule>()
  for (const [key, rule] of Object.entries(input.masking ?? {})) {
    const item = byId.get(key) ?? byNameEn.get(key.toLowerCase())
    if (!item) problems.push({ field: `masking.${key}`, message: `「${key}」不是本资源信息项的编号或英文名` })
    else if (!itemIds.includes(item.id)) problems.push({ field: `masking.${key}`, message: '脱敏规则只能针对授权的信息项' })
    else if (chosen.has(item.id)) problems.push({ field: `masking.${key}`, message: `「${item.name}」的脱敏规则重复给出（编号和英文名只用其一）` })
    else chosen.set(item.id, rule)
  }
  const masking: Record<string, MaskingRule> = {}
  for (const id of itemIds) {
    const item = byId.get(id)
    if (item) masking[id] = chosen.get(id) ?? defaultMaskingFor(item)
  }
  const rowFilter = input.rowFilter ?? {}
  for (const key of Object.keys(rowFilter)) {
    if (!byNameEn.has(key.toLowerCase())) problems.push({ field: `rowFilter.${key}`, message: `行过滤条件「${key}」不是本资源信息项的英文名` })
  }
  for (const key of maskedFilterKeys(rowFilter, items, { itemIds, masking })) {
    const name = byNameEn.get(key.toLowerCase())!.name
    problems.push({ field: `rowFilter.${key}`, message: `「${name}」脱敏提供，不能作为行过滤条件：过滤条件对使用方可见，且会透露被遮盖的内容` })
  }
  const lookupKeys = input.lookupKeys ?? []
  lookupKeys.forEach((key, i) => {
    const item = byNameEn.get(key.toLowerCase())
    if (!item || !itemIds.includes(item.id)) problems.push({ field: `lookupKeys[${i}]`, message: `查询键「${key}」须为授权信息项的英文名` })
  })
  const validUntil = input.validUntil ?? requested.validUntil
  if (validUntil > requested.validUntil) problems.push({ field: 'validUntil', message: `有效期只能缩短，不能晚于申请的 ${requested.validUntil}` })
  if (validUntil < today) problems.push({ field: 'validUntil', message: '有效期不能早于今天' })
  return problems.length > 0 ? { terms: null, problems } : { terms: { itemIds, masking, rowFilter, validUntil, lookupKeys }, problems }
}
