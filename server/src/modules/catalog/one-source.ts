import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import type { StoredItem } from '../../platform/db/schema.ts'

/**
 * 一数一源 (SPEC §5.4 rule 8, R-10): one authoritative source department (数源部门) per data element.
 * An item that names a data element (dataElementRef) which another department's published entry also
 * carries, under a different 数源部门, is a duplicate collection the authority should resolve. The
 * entry is not refused (the rule is a warning): the warnings go with the entry to review and are
 * recorded in the audit log when it is submitted.
 */

export interface OneSourceWarning {
  itemName: string
  dataElementRef: string
  sourceOrgId: string
  sourceOrgName: string
  otherResourceId: string
  otherResourceName: string
  otherProviderName: string
  otherItemName: string
  otherSourceOrgId: string
  otherSourceOrgName: string
  message: string
}

interface Entry {
  resourceId: string
  providerOrgId: string
  items: readonly StoredItem[]
}

export async function oneSourceWarnings(db: Executor, entry: Entry): Promise<OneSourceWarning[]> {
  const own = entry.items.filter((item) => item.dataElementRef)
  if (own.length === 0) return []
  const refs = [...new Set(own.map((item) => item.dataElementRef!))]
  // Catalogs hold thousands of entries, not millions: a scan of published items is cheap enough here.
  const others = await sql<{
    resourceId: string
    resourceName: string
    providerName: string
    itemName: string
    dataElementRef: string
    sourceOrgId: string
    sourceOrgName: string
  }>`select v.resource_id, v.name as resource_name, p.name as provider_name, i.item->>'name' as item_name,
        i.item->>'dataElementRef' as data_element_ref, s.id as source_org_id, s.name as source_org_name
      from resource_versions v
      join orgs p on p.id = v.provider_org_id
      cross join lateral jsonb_array_elements(v.items) as i(item)
      join orgs s on s.id = coalesce((i.item->>'authoritativeSourceOrgId')::uuid, v.provider_org_id)
      where v.is_published and v.resource_id <> ${entry.resourceId} and v.provider_org_id <> ${entry.providerOrgId}
        and i.item->>'dataElementRef' = any(${refs}::text[])
      order by v.name, i.item->>'name'`.execute(db)
  if (others.rows.length === 0) return []
  const sourceIds = [...new Set(own.map((item) => item.authoritativeSourceOrgId ?? entry.providerOrgId))]
  const names = new Map(
    (await db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', sourceIds).execute()).map((org) => [org.id, org.name]),
  )
  const warnings: OneSourceWarning[] = []
  for (const item of own) {
    const sourceOrgId = item.authoritativeSourceOrgId ?? entry.providerOrgId
    for (const other of others.rows) {
      if (other.dataElementRef !== item.dataElementRef || other.sourceOrgId === sourceOrgId) continue
      const sourceOrgName = names.get(sourceOrgId) ?? sourceOrgId
      warnings.push({
        itemName: item.name,
        dataElementRef: item.dataElementRef,
        sourceOrgId,
        sourceOrgName,
        otherResourceId: other.resourceId,
        otherResourceName: other.resourceName,
        otherProviderName: other.providerName,
        otherItemName: other.itemName,
        otherSourceOrgId: other.sourceOrgId,
        otherSourceOrgName: other.sourceOrgName,
        message:
          `信息项「${item.name}」（数据元 ${item.dataElementRef}）的数源部门为${sourceOrgName}，` +
          `而${other.providerName}已发布的「${other.resourceName}」中同一数据元的数源部门为${other.sourceOrgName}：请按一数一源确认权威来源`,
      })
    }
  }
  return warnings
}
