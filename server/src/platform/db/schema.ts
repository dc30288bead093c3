import type { ColumnType, Generated, JSONColumnType } from 'kysely'
import type { Role } from '../../../../common/roles.ts'

/** Table types for Kysely (camelCase; CamelCasePlugin maps to snake_case). One interface per table. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type DateOnly = ColumnType<string, string, string>

export interface OrgsTable {
  id: Generated<string>
  name: string
  shortName: string | null
  code: string | null
  regionCode: string
  parentId: string | null
  kind: 'authority' | 'department' | 'region'
  orgType: Generated<string>
  status: Generated<'active' | 'disabled'>
  createdAt: Generated<Date>
}

export interface UsersTable {
  id: Generated<string>
  username: string
  name: string
  orgId: string
  roles: Role[]
  passwordHash: string
  mobile: string | null
  status: Generated<'active' | 'disabled'>
  failedLogins: Generated<number>
  lockedUntil: Timestamp | null
  lastLoginAt: Timestamp | null
  createdAt: Generated<Date>
}

export interface SessionsTable {
  id: Generated<string>
  tokenHash: string
  userId: string
  createdAt: Generated<Date>
  lastSeenAt: Timestamp
  revokedAt: Timestamp | null
  ip: string | null
}

export interface WorkCalendarTable {
  day: DateOnly
  isWorkday: boolean
  note: string
  source: 'seed' | 'admin'
  updatedAt: Generated<Date>
}

export interface ParametersTable {
  key: string
  value: ColumnType<unknown, string, string>
  updatedBy: string | null
  updatedAt: Generated<Date>
}

export interface AuditEventsTable {
  id: Generated<number>
  at: Timestamp
  actorId: string | null
  appId: string | null
  orgId: string | null
  roles: string[]
  action: string
  objectType: string | null
  objectId: string | null
  result: 'success' | 'denied' | 'error'
  ip: string | null
  requestId: string | null
  grantId: string | null
  detail: JSONColumnType<Record<string, unknown>>
  prevHash: string
  hash: string
}

export interface ClassNodesTable {
  code: string
  name: string
  parentCode: string | null
  depth: number
  leadOrgId: string | null
  sort: Generated<number>
}

export interface ResourceCodeSequencesTable {
  classCode: string
  lastSeq: number
}

export interface ResourcesTable {
  id: Generated<string>
  providerOrgId: string
  code: string | null
  latestVersion: number
  publishedVersion: number | null
  firstPublishedAt: Timestamp | null
  createdAt: Generated<Date>
}

/** One catalog item (信息项) as stored inside a version (SPEC §5.2). */
export interface StoredItem {
  id: string
  name: string
  nameEn: string | null
  dataType: 'C' | 'N' | 'Y' | 'D' | 'T' | 'L' | 'M' | 'G' | 'B' | 'I' | 'F'
  length: number | null
  precision: number | null
  shareType: 1 | 2 | 3
  shareCondition: string | null
  openFlag: boolean
  sensitive: boolean
  piCategory: 'none' | 'personal' | 'sensitive_personal'
  secret: boolean
  isPrimaryKey: boolean
  isTimestamp: boolean
  basicItem: boolean
  dataElementRef: string | null
  authoritativeSourceOrgId: string | null
  description: string | null
}

export type ResourceVersionStatus = 'draft' | 'pending_review' | 'returned' | 'published' | 'withdrawn' | 'superseded'

export interface ResourceVersionsTable {
  id: Generated<string>
  resourceId: string
  version: number
  providerOrgId: string
  status: ResourceVersionStatus
  isLatest: boolean
  isPublished: Generated<boolean>
  name: string
  nameEn: string | null
  classCode: string
  providerSubunit: string | null
  abstract: string
  sourceSystem: string | null
  formatClass: number
  formatType: string
  formatOther: string | null
  shareType: number
  shareCondition: string | null
  shareBasis: string | null
  shareModeClass: string
  shareModeReason: string | null
  shareModes: string[]
  openFlag: boolean
  openCondition: string | null
  updateCycle: number
  updateTimeLimit: string | null
  relatedCodes: string[]
  secret: boolean
  levelAttr: string
  dataGrade: string
  survey: JSONColumnType<Record<string, number>>
  dutyRefs: string[]
  spaceScope: string | null
  timeRangeFrom: DateOnly | null
  timeRangeTo: DateOnly | null
  syncMech: string | null
  physDelete: boolean | null
  contactName: string | null
  contactPhone: string | null
  items: JSONColumnType<StoredItem[]>
  searchText: string
  searchVector: ColumnType<string, unknown, unknown>
  changedBy: string | null
  changedAt: Timestamp
  changedFields: string[]
  submittedAt: Timestamp | null
  reviewDueAt: Timestamp | null
  reviewedBy: string | null
  reviewedAt: Timestamp | null
  reviewComment: string | null
  publishedAt: Timestamp | null
  withdrawnReason: string | null
}

export interface CatalogChangeEventsTable {
  id: Generated<string>
  orgId: string
  kind: 'law_revision' | 'function_change'
  occurredAt: Timestamp
  description: string
  createdBy: string
  createdAt: Generated<Date>
}

export interface CatalogReviewTasksTable {
  id: Generated<string>
  eventId: string
  resourceId: string
  orgId: string
  dueDate: DateOnly
  dueAt: Timestamp
  status: Generated<'open' | 'done'>
  resolution: string | null
  doneBy: string | null
  doneAt: Timestamp | null
  createdAt: Generated<Date>
}

export interface Database {
  orgs: OrgsTable
  users: UsersTable
  sessions: SessionsTable
  workCalendar: WorkCalendarTable
  parameters: ParametersTable
  auditEvents: AuditEventsTable
  classNodes: ClassNodesTable
  resourceCodeSequences: ResourceCodeSequencesTable
  resources: ResourcesTable
  resourceVersions: ResourceVersionsTable
  catalogChangeEvents: CatalogChangeEventsTable
  catalogReviewTasks: CatalogReviewTasksTable
}
