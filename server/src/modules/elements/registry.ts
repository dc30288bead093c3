import { sql } from 'kysely'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { notifyAuthority } from '../../platform/notify/index.ts'

/**
 * 一数一源 (R-10, SPEC §5.4 rule 8): the authority's registry names one source department (数源部门)
 * per data element. An item that is such an element (by its data element reference, its name or an
 * alias) but names another 数源部门 is a duplicate collection: the cataloger is warned and pointed to
 * the source's entries to request instead, and the authority gets a case on its worklist. A warning,
 * never a refusal.
 */

export interface OneSourceWarning {
  itemId: string
  itemName: string
  dataElementRef: string
  elementId: string
  elementName: string
  standardRef: string | null
  sourceOrgId: string
  sourceOrgName: string
  /** A published entry of the designated source carrying the element, to request instead (null if none yet). */
  otherResourceId: string | null
  otherResourceName: string | null
  otherProviderName: string
  otherItemName: string | null
  otherSourceOrgId: string
  otherSourceOrgName: string
  message: string
}

interface Element {
  id: string
  name: string
  standardRef: string | null
  aliases: string[]
  sourceOrgId: string
  sourceOrgName: string
}

/** Spaces, full-width spaces and middle dots do not make another element; case does not either. */
export const normalize = (text: string) => text.replace(/[\s\u3000·・]/g, '').toLowerCase()

/** The names an element is known by: its name, aliases, standard reference, and "reference name" as catalogs often write it. */
function keysOf(element: Element): string[] {
  const keys = [element.name, ...element.aliases]
  if (element.standardRef) keys.push(element.standardRef, `${element.standardRef}${element.name}`)
  return keys.map(normalize)
}

async function loadElements(db: Executor): Promise<Map<string, Element>> {
  const rows = await db
    .selectFrom('dataElements as e')
    .innerJoin('orgs as o', 'o.id', 'e.sourceOrgId')
    .select(['e.id', 'e.name', 'e.standardRef', 'e.aliases', 'e.sourceOrgId', 'o.name as sourceOrgName'])
    .execute()
  const byKey = new Map<string, Element>()
  for (const row of rows) for (const key of keysOf(row)) byKey.set(key, row)
  return byKey
}

/** The element an item is: by its data element reference first, else by its name. */
const elementOf = (byKey: Map<string, Element>, item: StoredItem) =>
  (item.dataElementRef ? byKey.get(normalize(item.dataElementRef)) : undefined) ?? byKey.get(normalize(item.name))

export async function oneSourceWarnings(
  db: Executor,
  entry: { resourceId: string; providerOrgId: string; items: readonly StoredItem[] },
): Promise<OneSourceWarning[]> {
  const byKey = await loadElements(db)
  if (byKey.size === 0) return []
  const hits = entry.items
    .map((item) => ({ item, element: elementOf(byKey, item) }))
    .filter(
      (hit): hit is { item: StoredItem; element: Element } =>
        !!hit.element && hit.element.sourceOrgId !== (hit.item.authoritativeSourceOrgId ?? entry.providerOrgId),
    )
  if (hits.length === 0) return []
  const claimedIds = [...new Set(hits.map((hit) => hit.item.authoritativeSourceOrgId ?? entry.providerOrgId))]
  const names = new Map((await db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', claimedIds).execute()).map((org) => [org.id, org.name]))
  const warnings: OneSourceWarning[] = []
  for (const { item, element } of hits) {
    const claimed = item.authoritativeSourceOrgId ?? entry.providerOrgId
    const source = await sourceEntry(db, element, entry.resourceId)
    const ref = element.standardRef ? `（${element.standardRef}）` : ''
    const suggestion = source ? `，请通过共享申请从「${source.name}」获取，不再重复采集` : '，请向数源部门申请共享，不再重复采集'
    warnings.push({
      itemId: item.id,
      itemName: item.name,
      dataElementRef: item.dataElementRef ?? element.name,
      elementId: element.id,
      elementName: element.name,
      standardRef: element.standardRef,
      sourceOrgId: claimed,
      sourceOrgName: names.get(claimed) ?? '',
      otherResourceId: source?.resourceId ?? null,
      otherResourceName: source?.name ?? null,
      otherProviderName: element.sourceOrgName,
      otherItemName: source?.itemName ?? null,
      otherSourceOrgId: element.sourceOrgId,
      otherSourceOrgName: element.sourceOrgName,
      message: `信息项「${item.name}」为数据元「${element.name}」${ref}，一数一源的数源部门为${element.sourceOrgName}${suggestion}`,
    })
  }
  return warnings
}

/** A published entry of the element's source department that carries it (the first by name). */
async function sourceEntry(db: Executor, element: Element, exceptResourceId: string) {
  const keys = keysOf(element)
  const rows = await sql<{ resourceId: string; name: string; itemName: string }>`
    select v.resource_id, v.name, i.item->>'name' as item_name
      from resource_versions v cross join lateral jsonb_array_elements(v.items) as i(item)
     where v.is_published and v.provider_org_id = ${element.sourceOrgId} and v.resource_id <> ${exceptResourceId}
       and (regexp_replace(lower(coalesce(i.item->>'dataElementRef', '')), '[[:space:]　·・]', '', 'g') = any(${keys}::text[])
         or regexp_replace(lower(i.item->>'name'), '[[:space:]　·・]', '', 'g') = any(${keys}::text[]))
     order by v.name limit 1`.execute(db)
  return rows.rows[0] ?? null
}

/**
 * On submission the warnings become cases on the authority's worklist (one per element, entry and item;
 * a case already decided is not reopened), and the authority is told of new ones.
 */
export async function recordOneSourceCases(
  trx: Executor,
  ctx: Ctx,
  entry: { resourceId: string; providerOrgId: string; name: string },
  warnings: readonly OneSourceWarning[],
) {
  let created = 0
  for (const warning of warnings) {
    const row = await trx
      .insertInto('elementCases')
      .values({
        elementId: warning.elementId,
        resourceId: entry.resourceId,
        itemId: warning.itemId,
        itemName: warning.itemName,
        orgId: entry.providerOrgId,
        createdAt: ctx.now(),
      })
      .onConflict((oc) => oc.columns(['elementId', 'resourceId', 'itemId']).doNothing())
      .returning('id')
      .executeTakeFirst()
    if (row) created++
  }
  if (created > 0) {
    await notifyAuthority(trx, {
      kind: 'element.duplicate',
      title: `一数一源：「${entry.name}」重复采集 ${created} 项数据元`,
      objectType: 'resource',
      objectId: entry.resourceId,
    })
  }
}
