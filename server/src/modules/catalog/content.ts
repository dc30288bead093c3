import { randomUUID } from 'node:crypto'
import { canonicalJson } from '../../platform/audit/chain.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import type { ErrorDetail } from '../../platform/http/errors.ts'
import type { NewVersion, VersionRow } from './queries.ts'
import { deriveShareType } from './rules.ts'
import type { CreateResourceBody, ItemInput } from './schemas.ts'
import { indexTokens, searchTextOf } from './search/text.ts'
import { SHARE_TYPE } from '../../../../common/catalog.ts'

/**
 * Conversions between an entry's API content (CreateResourceBody) and its stored version columns.
 * Kept pure so create, edit, import and the demo loader all store entries the same way.
 */

export function toStoredItems(items: readonly ItemInput[], openFlag: boolean, knownIds: ReadonlySet<string>) {
  const problems: ErrorDetail[] = []
  const stored = items.map((item, i): StoredItem => {
    if (item.id && !knownIds.has(item.id)) problems.push({ field: `items[${i}].id`, message: '信息项编号不属于本资源' })
    return {
      id: item.id ?? randomUUID(),
      name: item.name,
      nameEn: item.nameEn ?? null,
      dataType: item.dataType,
      length: item.length ?? null,
      precision: item.precision ?? null,
      shareType: item.shareType,
      shareCondition: item.shareType === SHARE_TYPE.unconditional ? (item.shareCondition ?? '无条件') : (item.shareCondition ?? null),
      openFlag: item.openFlag ?? (openFlag && item.shareType !== SHARE_TYPE.notShared),
      sensitive: item.sensitive,
      piCategory: item.piCategory as StoredItem['piCategory'],
      secret: item.secret,
      isPrimaryKey: item.isPrimaryKey,
      isTimestamp: item.isTimestamp,
      basicItem: item.basicItem,
      dataElementRef: item.dataElementRef ?? null,
      authoritativeSourceOrgId: item.authoritativeSourceOrgId ?? null,
      description: item.description ?? null,
    }
  })
  return { stored, problems }
}

/** The version columns for an entry's content (everything but lifecycle fields). */
export function versionContent(body: CreateResourceBody, items: StoredItem[]) {
  const shareType = deriveShareType(items)
  return {
    name: body.name,
    nameEn: body.nameEn ?? null,
    classCode: body.classCode,
    providerSubunit: body.providerSubunit ?? null,
    abstract: body.abstract,
    sourceSystem: body.sourceSystem ?? null,
    formatClass: body.formatClass,
    formatType: body.formatType,
    formatOther: body.formatOther ?? null,
    shareType,
    shareCondition: shareType === SHARE_TYPE.unconditional ? body.shareCondition || '无条件' : (body.shareCondition ?? null),
    shareBasis: body.shareBasis ?? null,
    shareModeClass: body.shareModeClass,
    shareModeReason: body.shareModeReason ?? null,
    shareModes: body.shareModes,
    openFlag: body.openFlag,
    openCondition: body.openCondition ?? (body.openFlag ? null : '不予开放'),
    updateCycle: body.updateCycle,
    updateTimeLimit: body.updateTimeLimit ?? null,
    relatedCodes: body.relatedCodes,
    secret: body.secret,
    levelAttr: body.classCode.startsWith('3') ? 'department' : 'city',
    dataGrade: body.dataGrade,
    survey: JSON.stringify(body.survey),
    dutyRefs: body.dutyRefs,
    spaceScope: body.spaceScope ?? null,
    timeRangeFrom: body.timeRange?.from ?? null,
    timeRangeTo: body.timeRange?.to ?? null,
    syncMech: body.syncMech ?? null,
    physDelete: body.physDelete ?? null,
    contactName: body.contactName ?? null,
    contactPhone: body.contactPhone ?? null,
    items: JSON.stringify(items),
    searchText: searchTextOf({ name: body.name, abstract: body.abstract, items }),
  } satisfies Partial<NewVersion>
}

export type VersionContent = ReturnType<typeof versionContent>

export const searchTokensOf = (content: Pick<VersionContent, 'searchText'>) => indexTokens(content.searchText)

const orUndefined = <T>(value: T | null) => value ?? undefined

/** A stored version back as API content, so an edit can be merged onto it and re-validated whole. */
export function contentOf(row: VersionRow): CreateResourceBody {
  return {
    name: row.name,
    nameEn: orUndefined(row.nameEn),
    classCode: row.classCode,
    providerSubunit: orUndefined(row.providerSubunit),
    abstract: row.abstract,
    sourceSystem: orUndefined(row.sourceSystem),
    formatClass: row.formatClass,
    formatType: row.formatType,
    formatOther: orUndefined(row.formatOther),
    shareCondition: orUndefined(row.shareCondition),
    shareBasis: orUndefined(row.shareBasis),
    shareModeClass: row.shareModeClass as CreateResourceBody['shareModeClass'],
    shareModeReason: orUndefined(row.shareModeReason),
    shareModes: row.shareModes as CreateResourceBody['shareModes'],
    openFlag: row.openFlag,
    openCondition: orUndefined(row.openCondition) as CreateResourceBody['openCondition'],
    updateCycle: row.updateCycle,
    updateTimeLimit: orUndefined(row.updateTimeLimit),
    relatedCodes: row.relatedCodes,
    secret: row.secret,
    dataGrade: row.dataGrade as CreateResourceBody['dataGrade'],
    survey: row.survey,
    dutyRefs: row.dutyRefs,
    spaceScope: orUndefined(row.spaceScope) as CreateResourceBody['spaceScope'],
    timeRange: row.timeRangeFrom || row.timeRangeTo ? { from: orUndefined(row.timeRangeFrom), to: orUndefined(row.timeRangeTo) } : undefined,
    syncMech: orUndefined(row.syncMech) as CreateResourceBody['syncMech'],
    physDelete: orUndefined(row.physDelete),
    contactName: orUndefined(row.contactName),
    contactPhone: orUndefined(row.contactPhone),
    items: row.items.map((item) => ({
      id: item.id,
      name: item.name,
      nameEn: orUndefined(item.nameEn),
      dataType: item.dataType as ItemInput['dataType'],
      length: orUndefined(item.length),
      precision: orUndefined(item.precision),
      shareType: item.shareType,
      shareCondition: orUndefined(item.shareCondition),
      openFlag: item.openFlag,
      sensitive: item.sensitive,
      piCategory: item.piCategory,
      secret: item.secret,
      isPrimaryKey: item.isPrimaryKey,
      isTimestamp: item.isTimestamp,
      basicItem: item.basicItem,
      dataElementRef: orUndefined(item.dataElementRef),
      authoritativeSourceOrgId: orUndefined(item.authoritativeSourceOrgId),
      description: orUndefined(item.description),
    })),
  }
}

/** Field names whose stored value differs between two contents (the version history's "changed fields"). */
export function changedFields(before: VersionContent | null, after: VersionContent): string[] {
  const skip = new Set(['searchText', 'levelAttr'])
  // JSON columns come back from jsonb with their keys reordered: compare them key-sorted. Only those two
  // columns: a text field may well start with "{" (a share basis of "{{7*7}}" once made this a 500).
  const jsonColumns = new Set<string>(['items', 'survey'])
  const normal = (key: string, value: unknown) =>
    jsonColumns.has(key) ? canonicalJson(typeof value === 'string' ? JSON.parse(value) : value) : JSON.stringify(value)
  return (Object.keys(after) as (keyof VersionContent)[]).filter((key) => {
    if (skip.has(key)) return false
    const a = before ? normal(key, before[key]) : undefined
    const b = normal(key, after[key])
    return before ? a !== b : after[key] !== null && b !== '[]' && b !== '"{}"' && b !== '{}'
  })
}
