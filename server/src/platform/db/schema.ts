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
  /** 0014: 'totp_enrollment' sessions may only enroll TOTP (mandatory second factor not yet set up). */
  scope: Generated<'full' | 'totp_enrollment'>
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
  /** 0040: '' for the city-wide value; a county's region code for its own (SPEC §7.1: deadlines per tenant). */
  tenant: Generated<string>
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
  kind: 'law_revision' | 'function_change' | 'coordination_decision'
  occurredAt: Timestamp
  description: string
  createdBy: string
  createdAt: Generated<Date>
  /** 0015: the coordination case whose binding decision opened the event (kind 'coordination_decision'). */
  caseId: string | null
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
  /** 0026: a binding reclassification's share type (1 or 2), for the items named (null: the entry). */
  requiredShareType: number | null
  requiredItemIds: string[] | null
}

export interface Database
  extends SharingDatabase,
    SecurityDatabase,
    AuditArchiveDatabase,
    UpstreamHostsDatabase,
    SearchSynonymsDatabase,
    SupervisionDatabase,
    ExchangeDatabase {
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

// ---- mounts (0010) ----

/** How one catalog item maps to a column of a mounted table. */
export interface MountColumn {
  itemId: string
  column: string
  dataType: StoredItem['dataType']
  /**
   * Set when the column is stored SM4-encrypted (SPEC §8.3 S10; mounts/sealed-columns.ts): the key's
   * fingerprint (never the key), the column holding the keyed SM3 digest used for lookups, and the
   * storage format: absent for the first (text ciphertext, hex digest), 2 for the compact one (bytes).
   */
  sealed?: { keyId: string; digestColumn: string; format?: 2 }
}

export interface MountsTable {
  id: Generated<string>
  resourceId: string
  kind: 'table' | 'file' | 'api'
  status: Generated<'active' | 'suspended'>
  activeTable: string | null
  activeBatchId: string | null
  columns: JSONColumnType<MountColumn[]>
  rowCount: Generated<number>
  lastDataTime: Timestamp | null
  /** 0041: set by the daily freshness check when the last data is older than the update cycle allows. */
  staleSince: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  upstreamUrl: string | null
  upstreamMethod: string | null
  upstreamParams: JSONColumnType<{ name: string; required: boolean }[]>
  timeoutMs: number | null
  createdBy: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}

export interface MountBatchesTable {
  id: Generated<string>
  mountId: string
  tableName: string
  status: 'loading' | 'active' | 'replaced' | 'failed'
  fileName: string | null
  fileSize: number | null
  encoding: string | null
  rowsLoaded: Generated<number>
  rowsRejected: Generated<number>
  rejectedSample: JSONColumnType<{ line: number; reason: string }[]>
  startedAt: Generated<Date>
  finishedAt: Timestamp | null
  createdBy: string | null
  /** Set while the batch is the one kept for restoring (migration 0042). */
  replacedAt: Timestamp | null
  columns: JSONColumnType<MountColumn[] | null, string | null, string | null>
  itemIds: JSONColumnType<string[] | null, string | null, string | null>
  lastDataTime: Timestamp | null
}

export interface MountFilesTable {
  id: Generated<string>
  mountId: string
  version: number
  fileName: string
  contentType: string | null
  sizeBytes: number
  sm3: string
  content: Buffer
  createdBy: string | null
  createdAt: Generated<Date>
}

// ---- sharing (0011) ----

export type ShareRequestStatus = 'compliance_review' | 'returned' | 'pending' | 'need_more_info' | 'granted' | 'rejected' | 'withdrawn' | 'escalated'
export type ShareMode = 'api' | 'table' | 'file'
export type { MaskingRule } from '../../../../common/masking.ts'
import type { MaskingRule } from '../../../../common/masking.ts'
export type RowCondition =
  | { eq: string | number | boolean }
  | { in: (string | number)[] }
  | { prefix: string }
  | { gte?: string | number; lte?: string | number }

export interface ShareRequestsTable {
  id: Generated<string>
  no: string
  resourceId: string
  resourceVersion: number
  providerOrgId: string
  requesterOrgId: string
  requesterId: string
  itemIds: string[]
  purpose: string
  purposeDetail: string | null
  dutyBasis: string
  scenario: string | null
  mode: ShareMode
  validUntil: DateOnly
  status: ShareRequestStatus
  shareType: number
  dueAt: Timestamp | null
  dueDate: DateOnly | null
  pausedAt: Timestamp | null
  pauseUsed: Generated<boolean>
  warnedAt: Timestamp | null
  escalatedAt: Timestamp | null
  extended: Generated<boolean>
  decision: string | null
  decisionReason: string | null
  decidedBy: string | null
  decidedAt: Timestamp | null
  grantId: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
  /** 0026: the requester's apps the grant is for (SPEC §7.6). */
  appIds: Generated<string[]>
  /** 0044: the provider's reply clock (working days) and why: the standard deadline, or GP24's short one for mounted data. */
  replyWorkdays: number | null
  replyClock: 'standard' | 'mounted' | null
  reviewedBy: string | null
  reviewedAt: Timestamp | null
}

export interface ShareRequestEventsTable {
  id: Generated<number>
  requestId: string
  at: Timestamp
  actorId: string | null
  action: string
  fromStatus: string | null
  toStatus: string | null
  comment: string | null
}

export interface GrantsTable {
  id: Generated<string>
  requestId: string | null
  resourceId: string
  providerOrgId: string
  consumerOrgId: string
  itemIds: string[]
  masking: JSONColumnType<Record<string, MaskingRule>>
  rowFilter: JSONColumnType<Record<string, RowCondition>>
  mode: ShareMode
  purpose: string
  validFrom: DateOnly
  validUntil: DateOnly
  lookupKeys: Generated<string[]>
  rateLimitPerMinute: Generated<number>
  dailyQuota: Generated<number>
  status: 'active' | 'suspended' | 'expired' | 'revoked'
  statusReason: string | null
  createdBy: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
  /** 0015: when and by whom the status last changed (suspend, resume, revoke). */
  statusChangedAt: Timestamp | null
  statusChangedBy: string | null
  /** 0026: the apps that may use the grant, and items suspended for want of the provider's reconfirmation. */
  appIds: Generated<string[]>
  suspendedItemIds: Generated<string[]>
}

export type GrantEventKind = 'items_dropped' | 'reconfirmation_opened' | 'reconfirmed' | 'items_suspended' | 'entry_withdrawn'

export interface GrantEventsTable {
  id: Generated<number>
  grantId: string
  at: Timestamp
  kind: GrantEventKind
  resourceVersion: number | null
  itemIds: string[]
  text: string
  actorId: string | null
}

export interface GrantReconfirmationsTable {
  id: Generated<string>
  grantId: string
  providerOrgId: string
  resourceVersion: number
  itemIds: string[]
  dueDate: DateOnly
  dueAt: Timestamp
  status: 'open' | 'confirmed' | 'lapsed' | 'superseded'
  decidedBy: string | null
  decidedAt: Timestamp | null
  createdAt: Generated<Date>
}

export interface UsageRecordsTable {
  id: Generated<number>
  grantId: string
  at: Timestamp
  userId: string | null
  appId: string | null
  businessRef: string | null
  purpose: string | null
  rows: Generated<number>
}

export interface CoordinationCasesTable {
  id: Generated<string>
  origin: 'refused_request' | 'not_shareable' | 'demand_refusal' | 'catalog_dispute' | 'objection_dispute'
  requestId: string | null
  resourceId: string | null
  applicantOrgId: string
  providerOrgId: string
  statement: string
  status: 'open' | 'negotiating' | 'authority_coordinating' | 'escalated_up' | 'decided' | 'closed'
  decision: 'grant_with_conditions' | 'uphold_refusal' | 'reclassify' | null
  conditions: string | null
  objectionId: string | null
  demandId: string | null
  closedAt: Timestamp | null
  closedBy: string | null
  decisionText: string | null
  decidedBy: string | null
  decidedAt: Timestamp | null
  createdBy: string
  createdAt: Generated<Date>
}

export interface CoordinationNotesTable {
  id: Generated<number>
  caseId: string
  at: Timestamp
  actorId: string
  orgId: string
  kind: 'statement' | 'negotiation' | 'decision' | 'escalation' | 'closing'
  text: string
}

// ---- gateway (0012) ----

export interface AppsTable {
  id: Generated<string>
  orgId: string
  name: string
  appKey: string
  secretHash: string
  ipAllowList: string[]
  status: Generated<'active' | 'disabled'>
  createdBy: string | null
  createdAt: Generated<Date>
}

export interface AppTokensTable {
  tokenHash: string
  appId: string
  expiresAt: Timestamp
  createdAt: Generated<Date>
}

export interface CallLogsTable {
  id: Generated<number>
  requestInAt: Timestamp
  upstreamOutAt: Timestamp | null
  upstreamInAt: Timestamp | null
  responseOutAt: Timestamp
  requestBytes: number
  responseBytes: number
  consumerOrgId: string | null
  appId: string | null
  resourceId: string | null
  providerOrgId: string | null
  grantId: string | null
  requestId: string | null
  ip: string | null
  paramsDigest: string | null
  rowsReturned: number
  result: 'success' | 'denied' | 'error'
  errorClass: string | null
  errorCode: string | null
  businessRef: string | null
}

/** Daily roll-up of call_logs (0046), written only by its insert trigger. */
export interface CallLogDailyTable {
  day: DateOnly
  providerOrgId: string | null
  consumerOrgId: string | null
  appId: string | null
  resourceId: string | null
  result: 'success' | 'denied' | 'error'
  calls: number
  rowsReturned: number
  firstId: number
}

export interface RateCountersTable {
  key: string
  windowStart: Timestamp
  count: number
}

/** An app flagged for the security administrator (0023; gateway/lookup-probes.ts). */
export interface GatewayAppFlagsTable {
  id: Generated<string>
  appId: string
  orgId: string
  reason: 'lookup_misses'
  misses: number
  times: Generated<number>
  firstAt: Timestamp
  lastAt: Timestamp
  clearedAt: Timestamp | null
  clearedBy: string | null
  clearNote: string | null
}

export interface SharingDatabase {
  mounts: MountsTable
  mountBatches: MountBatchesTable
  mountFiles: MountFilesTable
  shareRequests: ShareRequestsTable
  shareRequestEvents: ShareRequestEventsTable
  grants: GrantsTable
  grantEvents: GrantEventsTable
  grantReconfirmations: GrantReconfirmationsTable
  usageRecords: UsageRecordsTable
  coordinationCases: CoordinationCasesTable
  coordinationNotes: CoordinationNotesTable
  apps: AppsTable
  appTokens: AppTokensTable
  callLogs: CallLogsTable
  callLogDaily: CallLogDailyTable
  rateCounters: RateCountersTable
  gatewayAppFlags: GatewayAppFlagsTable
}

// ---- security (0014) ----

export interface UserTotpTable {
  userId: string
  /** SM4 ciphertext (platform/crypto/sm4.ts) of the base32 secret. */
  secretCiphertext: string
  confirmedAt: Timestamp | null
  lastUsedStep: Generated<number>
  createdAt: Generated<Date>
}

export interface LoginThrottleTable {
  key: string
  windowStart: Timestamp
  failures: number
}

export interface SecurityDatabase {
  userTotp: UserTotpTable
  loginThrottle: LoginThrottleTable
}

// ---- audit archive (0013) ----

/** One archived month of the audit chain (its events are in the file, see platform/audit/archive.ts). */
export interface AuditArchivesTable {
  id: Generated<number>
  partitionName: string
  rangeFrom: Timestamp
  rangeTo: Timestamp
  eventCount: number
  firstId: number | null
  lastId: number | null
  prevHash: string
  firstHash: string | null
  lastHash: string
  lastAt: Timestamp | null
  fileName: string
  fileSm3: string
  fileBytes: number
  archivedAt: Generated<Date>
}

export interface AuditArchiveDatabase {
  auditArchives: AuditArchivesTable
}

// ---- upstream allow-list (0024) ----

/** A host the platform may call as an upstream API (modules/security; SSRF). */
export interface UpstreamHostsTable {
  id: Generated<string>
  host: string
  port: number | null
  note: string
  createdBy: string | null
  createdAt: Generated<Date>
}

export interface UpstreamHostsDatabase {
  upstreamHosts: UpstreamHostsTable
}

export interface SearchSynonymsTable {
  term: string
  expansions: string[]
  updatedBy: string | null
  updatedAt: Generated<Date>
}

// ---- notifications (0040), evaluation and freshness (0041) ----

export interface NotificationsTable {
  id: Generated<string>
  userId: string | null
  orgId: string | null
  kind: string
  title: string
  objectType: string
  objectId: string
  dueAt: Timestamp | null
  createdAt: Generated<Date>
  readAt: Timestamp | null
  dedupeKey: string | null
}

export interface NotificationReadsTable {
  notificationId: string
  userId: string
  readAt: Timestamp
}

export type EvaluationLevel = 'department' | 'tenant' | 'city'

export interface EvaluationRunsTable {
  id: Generated<string>
  periodFrom: DateOnly
  periodTo: DateOnly
  label: string
  settings: JSONColumnType<Record<string, Record<string, { weight: number; threshold: number }>>>
  status: Generated<'done'>
  computedAt: Timestamp
  computedBy: string | null
}

type Numeric = ColumnType<string, number | string, number | string>

export interface EvaluationScoresTable {
  runId: string
  level: EvaluationLevel
  orgId: string | null
  tenant: string
  indicator: string
  numerator: Numeric
  denominator: Numeric
  value: ColumnType<string | null, number | string | null, number | string | null>
  score: ColumnType<string | null, number | string | null, number | string | null>
  weight: Numeric
  threshold: Numeric
  detail: JSONColumnType<Record<string, unknown>>
}

export interface EvaluationTotalsTable {
  runId: string
  level: EvaluationLevel
  orgId: string | null
  tenant: string
  total: ColumnType<string | null, number | string | null, number | string | null>
  rank: number | null
}

export interface EvaluationEvidenceTable {
  id: Generated<string>
  runId: string
  orgId: string
  indicator: string
  objectType: string
  objectId: string
  label: string
  day: DateOnly | null
  ok: boolean | null
  amount: ColumnType<string | null, number | string | null, number | string | null>
  detail: JSONColumnType<Record<string, unknown>>
}

export interface EvaluationSettingsTable {
  tenant: string
  indicator: string
  weight: Numeric
  threshold: Numeric
  updatedBy: string | null
  updatedAt: Generated<Date>
}

export interface SearchSynonymsDatabase {
  searchSynonyms: SearchSynonymsTable
}

export interface RectificationNoticesTable {
  id: Generated<string>
  runId: string
  orgId: string
  indicator: string
  score: Numeric
  threshold: Numeric
  status: 'issued' | 'responded' | 'closed'
  dueDate: DateOnly
  dueAt: Timestamp
  measures: string | null
  respondedBy: string | null
  respondedAt: Timestamp | null
  closingComment: string | null
  closedBy: string | null
  closedAt: Timestamp | null
  escalatedAt: Timestamp | null
  issuedBy: string | null
  issuedAt: Timestamp
}

export interface MountQualityReportsTable {
  batchId: string
  mountId: string
  createdAt: Timestamp
  rows: number
  previousRows: number | null
  rowSwing: ColumnType<string | null, number | null, number | null>
  duplicateKeys: number
  nullRates: JSONColumnType<Record<string, number>>
  problems: string[]
}

export type ObjectionStatus = 'raised' | 'dismissed' | 'verifying' | 'correcting' | 'resolved' | 'explained' | 'coordination'
export type ObjectionType = 'error' | 'missing' | 'inconsistent' | 'outdated' | 'format' | 'other'

export interface ObjectionsTable {
  id: Generated<string>
  no: string
  resourceId: string
  providerOrgId: string
  raiserOrgId: string
  raisedBy: string
  grantId: string
  itemIds: string[]
  recordKeys: string[]
  type: ObjectionType
  description: string
  status: ObjectionStatus
  flagged: Generated<boolean>
  stage: 'accept' | 'verify' | null
  dueDate: DateOnly | null
  dueAt: Timestamp | null
  warnedAt: Timestamp | null
  escalatedAt: Timestamp | null
  response: string | null
  correctingAt: Timestamp | null
  correctionBatchId: string | null
  caseId: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
  /** 0045: the verification's due time and the provider's answer, kept for M6 after the stage closes. */
  verifyDueAt: Timestamp | null
  verifiedAt: Timestamp | null
}

export interface ObjectionRecordsTable {
  objectionId: string
  resourceId: string
  recordKey: string
}

export interface ObjectionEvidenceTable {
  id: Generated<string>
  objectionId: string
  fileName: string
  contentType: string
  sizeBytes: number
  sm3: string
  content: Buffer
  createdAt: Generated<Date>
}

export interface WorkflowEventsColumns {
  id: Generated<number>
  at: Timestamp
  actorId: string | null
  action: string
  fromStatus: string | null
  toStatus: string
  comment: string | null
}

export type DemandStatus = 'submitted' | 'assigned' | 'accepted' | 'fulfilled' | 'declined' | 'matched' | 'rejected'

export interface DemandsTable {
  id: Generated<string>
  no: string
  requesterOrgId: string
  createdBy: string
  title: string
  description: string
  wantedItems: string[]
  purpose: string
  dutyBasis: string
  urgency: Generated<'normal' | 'urgent'>
  suggestedProviderOrgId: string | null
  appIds: Generated<string[]>
  status: DemandStatus
  providerOrgId: string | null
  matchedResourceId: string | null
  resourceId: string | null
  requestId: string | null
  caseId: string | null
  response: string | null
  stage: 'triage' | 'provider' | null
  dueDate: DateOnly | null
  dueAt: Timestamp | null
  warnedAt: Timestamp | null
  escalatedAt: Timestamp | null
  basis: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
  /** 0045: the assigned provider's due time and when it fulfilled or declined, kept for M10. */
  providerDueAt: Timestamp | null
  providerDoneAt: Timestamp | null
}

export interface DataElementsTable {
  id: Generated<string>
  name: string
  standardRef: string | null
  aliases: Generated<string[]>
  sourceOrgId: string
  note: string | null
  createdBy: string | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}

export interface ElementCasesTable {
  id: Generated<string>
  elementId: string
  resourceId: string
  itemId: string
  itemName: string
  orgId: string
  status: Generated<'open' | 'request_instead' | 'exception'>
  note: string | null
  decidedBy: string | null
  decidedAt: Timestamp | null
  createdAt: Generated<Date>
}

export interface SupervisionDatabase {
  notifications: NotificationsTable
  notificationReads: NotificationReadsTable
  evaluationRuns: EvaluationRunsTable
  evaluationScores: EvaluationScoresTable
  evaluationTotals: EvaluationTotalsTable
  evaluationEvidence: EvaluationEvidenceTable
  evaluationSettings: EvaluationSettingsTable
  rectificationNotices: RectificationNoticesTable
  mountQualityReports: MountQualityReportsTable
  objections: ObjectionsTable
  objectionRecords: ObjectionRecordsTable
  objectionEvidence: ObjectionEvidenceTable
  objectionEvents: WorkflowEventsColumns & { objectionId: string }
  demands: DemandsTable
  demandEvents: WorkflowEventsColumns & { demandId: string }
  dataElements: DataElementsTable
  elementCases: ElementCasesTable
}

// ---- exchange (0036) ----

export interface ExchangeNodesTable {
  id: Generated<string>
  orgId: string
  name: string
  note: string | null
  enrolTokenDigest: string | null
  enrolExpiresAt: Timestamp | null
  enrolledAt: Timestamp | null
  credentialDigest: string | null
  connections: JSONColumnType<{ name: string; kind: string }[]>
  agentVersion: string | null
  heartbeatAt: Timestamp | null
  heartbeatSeconds: Generated<number>
  problem: string | null
  revokedAt: Timestamp | null
  revokedBy: string | null
  createdBy: string | null
  createdAt: Generated<Date>
}

export interface ExchangeJobsTable {
  id: Generated<string>
  kind: 'feed' | 'delivery'
  nodeId: string
  resourceId: string
  grantId: string | null
  connection: string
  tableName: string
  keyColumn: string | null
  incrementalColumn: string | null
  columnMap: JSONColumnType<{ itemId: string; column: string }[]>
  whereFilter: string | null
  carryDeletes: Generated<boolean>
  channels: Generated<number>
  splitPk: string | null
  speedRecords: number | null
  speedBytes: number | null
  errorLimitCount: number | null
  errorLimitShare: string | null
  writeMode: Generated<'insert' | 'upsert'>
  status: 'draft' | 'verifying' | 'active' | 'paused' | 'stopped' | 'purging' | 'purged'
  statusReason: string | null
  watermark: string | null
  deliveredBatchId: string | null
  deliveredLine: string | null
  deliveredSignature: string | null
  deliveredItems: JSONColumnType<string[]>
  runRequested: Generated<boolean>
  fullRequested: Generated<boolean>
  nextRunAt: Timestamp | null
  consecutiveFailures: Generated<number>
  flaggedAt: Timestamp | null
  purgeRequestedAt: Timestamp | null
  purgedAt: Timestamp | null
  createdBy: string
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}

export interface ExchangeRunsTable {
  id: Generated<string>
  seq: Generated<string>
  jobId: string
  kind: 'verify' | 'full' | 'incremental' | 'purge'
  status: 'running' | 'succeeded' | 'failed'
  startedAt: Timestamp
  finishedAt: Timestamp | null
  leaseUntil: Timestamp
  rowsRead: Generated<string>
  rowsWritten: Generated<string>
  rowsDeleted: Generated<string>
  rowsFailed: Generated<string>
  bytes: Generated<string>
  durationMs: number | null
  error: string | null
  deletedKeys: JSONColumnType<string[]>
  batchId: string | null
  baseLine: string | null
  detail: JSONColumnType<Record<string, unknown>>
}

export interface ExchangeDatabase {
  exchangeNodes: ExchangeNodesTable
  exchangeJobs: ExchangeJobsTable
  exchangeRuns: ExchangeRunsTable
  fileDownloads: FileDownloadsTable
  zoneImports: ZoneImportsTable
  zoneCatalogEntries: ZoneCatalogEntriesTable
}

/** One download of a 文件 grant's file (0048): its id is the trace mark in the delivered copy. */
export interface FileDownloadsTable {
  id: Generated<string>
  grantId: string
  resourceId: string
  providerOrgId: string
  consumerOrgId: string
  userId: string | null
  mountId: string
  fileVersion: number
  fileName: string
  sourceSm3: string
  deliveredSm3: string
  markKind: 'core_properties' | 'pdf_info' | 'comment_line' | 'log_only'
  purpose: string
  businessRef: string | null
  at: Timestamp
}

/** A signed 外网 catalog export imported into this (内网) instance (0049). */
export interface ZoneImportsTable {
  exportId: string
  sourceInstance: string
  keyId: string
  exportedAt: Timestamp
  entries: number
  imported: number
  skipped: number
  fileSm3: string
  importedAt: Generated<Date>
}

/** One imported 外网 catalog entry version (0049), kept apart from the instance's own catalog. */
export interface ZoneCatalogEntriesTable {
  sourceInstance: string
  sourceResourceId: string
  version: number
  exportId: string
  code: string | null
  name: string
  providerName: string
  content: JSONColumnType<Record<string, unknown>>
  importedAt: Generated<Date>
}
