import { DATA_TYPES, FORMAT_CLASSES, LEVEL_ATTRS, RESOURCE_STATUSES, SHARE_TYPE, SHARE_TYPES, UPDATE_CYCLES } from '../../../../common/catalog.ts'
import type { Actor } from '../../platform/auth/actor.ts'
import { can } from '../../platform/auth/policy.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import type { ResourceRow } from './queries.ts'
import type { MountSummaryOut, ResourceOut } from './schemas.ts'

const label = (table: Record<string | number, string>, key: string | number) => table[key] ?? String(key)

// 'superseded' versions are shown as history only; a resource's own status is one of API.md's five.
const apiStatus = (status: string) => (status === 'superseded' ? 'published' : status) as ResourceOut['status']

export function presentItem(item: StoredItem) {
  return {
    ...item,
    dataTypeLabel: label(DATA_TYPES, item.dataType),
    shareTypeLabel: label(SHARE_TYPES, item.shareType),
  }
}

/** What this actor may do with the entry now: the console shows buttons from this map. */
export function resourceActions(actor: Actor, row: ResourceRow) {
  const subject = { providerOrgId: row.providerOrgId }
  const isLatest = row.version === row.latestVersion
  const otherDeptPublished = row.isPublished && row.providerOrgId !== actor.orgId
  return {
    update: isLatest && row.status !== 'pending_review' && can(actor, 'catalog.resource.update', subject),
    submit: isLatest && (row.status === 'draft' || row.status === 'returned') && can(actor, 'catalog.resource.submit', subject),
    review: isLatest && row.status === 'pending_review' && can(actor, 'catalog.resource.review', subject),
    withdraw: row.publishedVersion !== null && can(actor, 'catalog.resource.withdraw', subject),
    // Another department's published entry that has something to share (不予共享 points to coordination instead).
    request: otherDeptPublished && row.shareType !== SHARE_TYPE.notShared && can(actor, 'sharing.request.create'),
    // 不予共享 has nothing to apply for: a requester may ask the authority to coordinate instead (SPEC §7.10).
    coordinate: otherDeptPublished && row.shareType === SHARE_TYPE.notShared && can(actor, 'sharing.case.create'),
    callGuide: otherDeptPublished && row.shareType !== SHARE_TYPE.notShared,
    sample: row.isPublished && row.shareType === SHARE_TYPE.unconditional,
  }
}

const earliest = (dates: readonly (Date | null)[]) => dates.reduce<Date | null>((first, d) => (d && (!first || d < first) ? d : first), null)

export function presentResource(row: ResourceRow, actor: Actor, mounts: MountSummaryOut[] = []): ResourceOut {
  const ownerView = can(actor, 'catalog.draft.read', row)
  return {
    id: row.resourceId,
    code: row.code,
    name: row.name,
    nameEn: row.nameEn,
    providerOrgId: row.providerOrgId,
    providerName: row.providerName,
    providerCode: row.providerCode,
    providerSubunit: row.providerSubunit,
    classCode: row.classCode,
    className: row.className,
    abstract: row.abstract,
    sourceSystem: row.sourceSystem,
    formatClass: row.formatClass,
    formatClassLabel: label(FORMAT_CLASSES, row.formatClass),
    formatType: row.formatType,
    formatOther: row.formatOther,
    shareType: row.shareType,
    shareTypeLabel: label(SHARE_TYPES, row.shareType),
    shareCondition: row.shareCondition,
    shareBasis: row.shareBasis,
    shareModeClass: row.shareModeClass,
    shareModeReason: row.shareModeReason,
    shareModes: row.shareModes,
    openFlag: row.openFlag,
    openCondition: row.openCondition,
    updateCycle: row.updateCycle,
    updateCycleLabel: label(UPDATE_CYCLES, row.updateCycle),
    updateTimeLimit: row.updateTimeLimit,
    relatedCodes: row.relatedCodes,
    secret: row.secret,
    levelAttr: label(LEVEL_ATTRS, row.levelAttr),
    dataGrade: row.dataGrade,
    survey: row.survey,
    dutyRefs: row.dutyRefs,
    spaceScope: row.spaceScope,
    timeRange: { from: row.timeRangeFrom, to: row.timeRangeTo },
    syncMech: row.syncMech,
    physDelete: row.physDelete,
    contactName: row.contactName,
    contactPhone: row.contactPhone,
    status: apiStatus(row.status),
    statusLabel: label(RESOURCE_STATUSES, apiStatus(row.status)),
    version: row.version,
    publishedVersion: row.publishedVersion,
    ...(ownerView ? { latestVersion: row.latestVersion } : {}),
    // A submitted next version waiting beside the version shown (the authority sees the published one).
    pendingVersion: ownerView && row.latestStatus === 'pending_review' && row.latestVersion !== row.version ? row.latestVersion : null,
    publishedAt: row.publishedAt ? new Date(row.publishedAt) : null,
    submittedAt: row.submittedAt ? new Date(row.submittedAt) : null,
    reviewDueAt: row.reviewDueAt ? new Date(row.reviewDueAt) : null,
    reviewComment: ownerView ? row.reviewComment : null,
    withdrawnReason: row.withdrawnReason,
    changedAt: new Date(row.changedAt),
    items: row.items.map(presentItem),
    // A stale mount in service flags its entry (SPEC §7.3): consumers see the data may be out of date.
    staleSince: earliest(mounts.filter((m) => m.status === 'active').map((m) => m.staleSince)),
    mounts,
    actions: resourceActions(actor, row),
  }
}
