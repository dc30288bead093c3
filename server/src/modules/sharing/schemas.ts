import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'
import { parameterNote } from '../../platform/config/parameters.ts'
import { reasonProblem } from '../../../../common/reasons.ts'
import { MASKING_RULES } from '../../platform/masking/masking.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import { IsoDate } from '../../platform/http/params.ts'

export const PURPOSES = ['行政依据', '工作参考', '数据校核', '业务协同', '其他'] as const
export const SHARE_MODES = ['api', 'table', 'file'] as const
export const REQUEST_STATUSES = ['compliance_review', 'returned', 'pending', 'need_more_info', 'granted', 'rejected', 'withdrawn', 'escalated'] as const
export const REQUEST_STATUS_LABELS: Record<(typeof REQUEST_STATUSES)[number], string> = {
  compliance_review: '主管部门合规审查',
  returned: '退回修改',
  pending: '待审批',
  need_more_info: '待补正',
  granted: '已授权',
  rejected: '已拒绝',
  withdrawn: '已撤回',
  escalated: '已逾期（主管部门督办）',
}
export const GRANT_STATUSES = ['active', 'suspended', 'expired', 'revoked'] as const
export const GRANT_STATUS_LABELS: Record<(typeof GRANT_STATUSES)[number], string> = {
  active: '有效',
  suspended: '已暂停',
  expired: '已过期',
  revoked: '已撤销',
}

const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 字`)
const required = (max: number, label: string) => text(max).min(1, `${label}不能为空`)

export const CreateRequestBody = z
  .object({
    resourceId: z.uuid('资源编号格式不正确'),
    itemIds: z.array(z.uuid('信息项编号格式不正确')).min(1, '至少选择一个信息项').max(LIMITS.itemsPerResource),
    purpose: z.enum(PURPOSES, '使用用途应为 行政依据、工作参考、数据校核、业务协同、其他 之一'),
    purposeDetail: text(LIMITS.longText).optional().describe('用途说明（用途为「其他」时必填）'),
    dutyBasis: required(LIMITS.longText, '履职依据').describe('关联权责事项/政务服务事项及法律依据'),
    scenario: z.enum(['政务服务', '公共服务', '监管', '其他']).optional().describe('应用场景'),
    mode: z.enum(SHARE_MODES, '共享方式应为 api、table、file 之一'),
    appIds: z
      .array(z.uuid('应用编号格式不正确'))
      .max(LIMITS.appsPerRequest, `最多选择 ${LIMITS.appsPerRequest} 个应用`)
      .optional()
      .describe('使用该授权的本单位应用（接口方式必填；授权只对这些应用有效）'),
    validUntil: IsoDate.optional().describe('有效期至（含当日；默认自申请之日起一年，不得超过平台规定的最长有效期）'),
  })
  .superRefine((body, ctx) => {
    if (body.mode === 'api' && !body.appIds?.length) ctx.addIssue({ code: 'custom', path: ['appIds'], message: '接口方式须选择使用数据的本单位应用' })
    if (body.appIds && new Set(body.appIds).size !== body.appIds.length) ctx.addIssue({ code: 'custom', path: ['appIds'], message: '应用重复' })
    if (body.purpose === '其他' && !body.purposeDetail) ctx.addIssue({ code: 'custom', path: ['purposeDetail'], message: '用途为「其他」时须说明具体用途' })
    if (new Set(body.itemIds).size !== body.itemIds.length) ctx.addIssue({ code: 'custom', path: ['itemIds'], message: '信息项重复' })
  })
  .meta({
    examples: [
      {
        resourceId: '5c2e8a14-7d3f-4b69-9e01-2a4c6e8f0b13',
        itemIds: ['9a1b3c5d-7e9f-4a2b-8c4d-6e8f0a2b4c61', 'b2d4f6a8-0c1e-4f3a-9b5d-7f9a1c3e5b72'],
        purpose: '数据校核',
        dutyBasis: '《社会救助暂行办法》第十一条：核对最低生活保障申请人的户籍信息',
        mode: 'api',
        appIds: ['e3f5a7c9-1b2d-4e4f-a6b8-c0d2e4f6a8b9'],
        validUntil: '2026-12-31',
      },
    ],
  })
export type CreateRequestBody = z.infer<typeof CreateRequestBody>

const Scalar = z.union([z.string().max(200), z.number().finite(), z.boolean()])
export const RowCondition = z.union([
  z.strictObject({ eq: Scalar }),
  z.strictObject({
    in: z
      .array(z.union([z.string().max(200), z.number().finite()]))
      .min(1)
      .max(100),
  }),
  z.strictObject({ prefix: z.string().min(1).max(100) }),
  z
    .strictObject({ gte: z.union([z.string().max(50), z.number().finite()]).optional(), lte: z.union([z.string().max(50), z.number().finite()]).optional() })
    .refine((c) => c.gte !== undefined || c.lte !== undefined, '区间条件至少给出 gte 或 lte'),
])
export const RowFilter = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, '行过滤条件的键应为信息项英文名'), RowCondition)
  .describe('行过滤：{ 英文名: {eq}|{in}|{prefix}|{gte,lte} }，条件之间为“且”')
const ITEM_KEY = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z][A-Za-z0-9_]{0,62})$/i
export const MaskingMap = z
  .record(z.string().regex(ITEM_KEY, '脱敏规则的键应为信息项编号或英文名'), z.enum(MASKING_RULES, '脱敏规则无效'))
  .describe('键为信息项编号或英文名（nameEn），值为脱敏规则')

const approvalFields = {
  itemIds: z.array(z.uuid()).min(1, '至少授权一个信息项').max(LIMITS.itemsPerResource).optional().describe('授权的信息项（默认为申请的全部，只能收窄）'),
  masking: MaskingMap.optional().describe('各信息项的脱敏规则（未给出的按默认规则）'),
  rowFilter: RowFilter.optional(),
  validUntil: IsoDate.optional().describe('有效期至（只能缩短）'),
  lookupKeys: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/))
    .max(5)
    .optional()
    .describe('联机查询：每次调用必须提供的查询键（英文名）'),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe(`每分钟调用次数上限；不填时${parameterNote('gateway.defaultRateLimitPerMinute')}`),
  dailyQuota: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .describe(`每日调用次数上限；不填时${parameterNote('gateway.defaultDailyQuota')}`),
}

export const DecisionPreviewBody = z.object(approvalFields)
export type DecisionPreviewBody = z.infer<typeof DecisionPreviewBody>

export const MaskingWarningOut = z.object({
  code: z.enum(['SAME_ID_IN_CLEAR', 'ID_RECOVERABLE']).describe('SAME_ID_IN_CLEAR 同一证件号码另有明文项；ID_RECOVERABLE 脱敏的身份证号可由其他项拼出'),
  message: z.string().describe('规则说明与建议'),
  itemIds: z.array(z.string()).describe('涉及的信息项'),
})

export const DecisionPreviewOut = z.object({
  itemIds: z.array(z.string()),
  masking: z.record(z.string(), z.enum(MASKING_RULES)).describe('各信息项实际采用的脱敏规则（含默认规则）'),
  warnings: z.array(MaskingWarningOut).describe('再识别风险提示（不阻止授权）'),
})

export const DecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject'], '审批结论应为 approve 或 reject'),
    reason: text(LIMITS.longText).optional().describe('拒绝理由（拒绝时必填）或审批意见'),
    ...approvalFields,
  })
  .superRefine((body, ctx) => {
    // A refusal is what the requester takes to coordination: it must say why (SPEC §7.5, R-4).
    const problem = body.decision === 'reject' ? reasonProblem(body.reason ?? '', '拒绝理由') : null
    if (problem) ctx.addIssue({ code: 'custom', path: ['reason'], message: problem })
  })
  .meta({
    examples: [
      {
        decision: 'approve',
        masking: { id_no: 'id_card', full_name: 'name' },
        lookupKeys: ['id_no'],
        rowFilter: { county: { in: ['潍城区', '奎文区'] } },
        validUntil: '2026-12-31',
        reason: '同意用于低保申请人户籍核对',
      },
    ],
  })
export type DecisionBody = z.infer<typeof DecisionBody>

export const AuthorityDecisionBody = z.object({
  decision: z.enum(['grant', 'extend'], '督办决定应为 grant（直接授权）或 extend（延期一次）'),
  comment: text(LIMITS.longText).optional(),
  extendWorkdays: z.number().int().min(1).max(15).optional().describe('延期的工作日数（默认 5）'),
  ...approvalFields,
})
export type AuthorityDecisionBody = z.infer<typeof AuthorityDecisionBody>

export const ComplianceReviewBody = z
  .object({
    decision: z.enum(['pass', 'return'], '审查结论应为 pass（通过，交提供部门）或 return（退回修改）'),
    comment: text(LIMITS.longText).optional().describe('审查意见（退回修改时必填：说明用途或履职依据哪里不清楚）'),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'return' && !body.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: '退回修改须填写审查意见' })
  })
export type ComplianceReviewBody = z.infer<typeof ComplianceReviewBody>

export const CommentBody = z.object({ comment: required(LIMITS.longText, '说明') })
export const ResubmitBody = z.object({
  comment: required(LIMITS.longText, '补正说明'),
  purposeDetail: text(LIMITS.longText).optional(),
  dutyBasis: text(LIMITS.longText).min(1).optional(),
})
export const ReasonBody = z.object({ reason: required(LIMITS.longText, '原因') })
export const ReconfirmBody = z.object({ comment: text(LIMITS.longText).optional().describe('确认意见') })

export const RequestListQuery = PageQuery.extend({
  box: z.enum(['mine', 'incoming', 'all']).default('mine').describe('mine 我的申请，incoming 待我审批，all 全部（主管部门）'),
  status: z.enum(REQUEST_STATUSES).optional(),
  resourceId: z.uuid().optional(),
})
export type RequestListQuery = z.infer<typeof RequestListQuery>

export const GrantListQuery = PageQuery.extend({
  box: z.enum(['mine', 'provided', 'all']).default('mine'),
  status: z.enum(GRANT_STATUSES).optional(),
  resourceId: z.uuid().optional(),
})
/** 台账 exports: the list's filters without paging. */
export const GrantExportQuery = GrantListQuery.omit({ page: true, pageSize: true })
export type GrantExportQuery = z.infer<typeof GrantExportQuery>
export const RequestExportQuery = RequestListQuery.omit({ page: true, pageSize: true })
export type RequestExportQuery = z.infer<typeof RequestExportQuery>
export type GrantListQuery = z.infer<typeof GrantListQuery>

export const HistoryEntry = z.object({
  at: z.date(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  comment: z.string().nullable(),
})

export const ShareRequestOut = z.object({
  id: z.string(),
  no: z.string(),
  resourceId: z.string(),
  resourceName: z.string(),
  resourceVersion: z.number(),
  providerOrgId: z.string(),
  providerName: z.string(),
  requesterOrgId: z.string(),
  requesterOrgName: z.string(),
  requesterId: z.string(),
  itemIds: z.array(z.string()),
  appIds: z.array(z.string()),
  items: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string().nullable(), shareType: z.number() })),
  purpose: z.string(),
  purposeDetail: z.string().nullable(),
  dutyBasis: z.string(),
  scenario: z.string().nullable(),
  mode: z.enum(SHARE_MODES),
  validUntil: z.string(),
  shareType: z.number(),
  status: z.enum(REQUEST_STATUSES),
  statusLabel: z.string(),
  dueAt: z.date().nullable(),
  dueDate: z.string().nullable(),
  remainingWorkdays: z.number().nullable().describe('距当前阶段期限（合规审查或提供部门答复）的剩余工作日（已逾期为负）'),
  replyWorkdays: z.number().nullable().describe('提供部门的答复时限（工作日）；合规审查通过前为 null'),
  replyClock: z.enum(['standard', 'mounted']).nullable().describe('standard：有条件共享答复时限；mounted：合规审查通过时数据已挂接，适用已挂接数据的短时限'),
  reviewedAt: z.date().nullable().describe('主管部门合规审查的时间'),
  pausedAt: z.date().nullable(),
  escalatedAt: z.date().nullable(),
  decision: z.string().nullable(),
  decisionReason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  grantId: z.string().nullable(),
  createdAt: z.date(),
  history: z.array(HistoryEntry).optional(),
  actions: z.record(z.string(), z.boolean()),
  warnings: z.array(MaskingWarningOut).optional().describe('授权时：所选脱敏规则的再识别风险提示'),
})
export type ShareRequestOut = z.infer<typeof ShareRequestOut>

export const GrantEventOut = z.object({
  at: z.date(),
  kind: z.enum(['items_dropped', 'reconfirmation_opened', 'reconfirmed', 'items_suspended', 'entry_withdrawn']),
  resourceVersion: z.number().nullable(),
  itemIds: z.array(z.string()),
  text: z.string(),
})

export const GrantOut = z.object({
  id: z.string(),
  requestId: z.string().nullable(),
  resourceId: z.string(),
  resourceName: z.string(),
  providerOrgId: z.string(),
  providerName: z.string(),
  consumerOrgId: z.string(),
  consumerName: z.string(),
  itemIds: z.array(z.string()),
  items: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string().nullable(), masking: z.string() })),
  masking: z.record(z.string(), z.string()),
  rowFilter: z.record(z.string(), z.unknown()),
  mode: z.enum(SHARE_MODES),
  purpose: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  lookupKeys: z.array(z.string()),
  rateLimitPerMinute: z.number(),
  dailyQuota: z.number(),
  status: z.enum(GRANT_STATUSES),
  statusReason: z.string().nullable(),
  appIds: z.array(z.string()).describe('可使用该授权的应用'),
  suspendedItemIds: z.array(z.string()).describe('因提供方未在期限内重新确认而暂停的信息项'),
  createdAt: z.date(),
  events: z.array(GrantEventOut).optional().describe('目录变更对授权的影响（详情中给出）'),
  reconfirmation: z
    .object({ id: z.string(), itemIds: z.array(z.string()), dueDate: z.string(), resourceVersion: z.number() })
    .nullable()
    .optional()
    .describe('待提供方重新确认的信息项'),
  actions: z.record(z.string(), z.boolean()),
})
export type GrantOut = z.infer<typeof GrantOut>

export const UsageOut = z.object({
  id: z.number().describe('记录编号（在各自来源内唯一）'),
  source: z.enum(['gateway', 'record']).describe('gateway：接口调用（即调用记录）；record：其他方式登记的使用'),
  grantId: z.string(),
  at: z.date(),
  userId: z.string().nullable(),
  userName: z.string().nullable().describe('登记人姓名'),
  appId: z.string().nullable(),
  appName: z.string().nullable().describe('调用应用名称'),
  businessRef: z.string().nullable(),
  purpose: z.string().nullable(),
  rows: z.number(),
})

export const MaskingPreviewBody = z.object({
  rule: z.enum(MASKING_RULES, '脱敏规则无效'),
  values: z
    .array(z.union([z.string().max(500), z.number(), z.null()]))
    .min(1)
    .max(50),
})

export const CreateCaseBody = z
  .object({
    requestId: z.uuid().optional().describe('被拒绝的申请'),
    resourceId: z.uuid().optional().describe('不予共享的目录'),
    statement: required(LIMITS.longText, '协调事由').describe('履职需要与协调事由'),
  })
  .refine((b) => !!b.requestId !== !!b.resourceId, '请给出被拒绝的申请编号或不予共享的目录编号（二选一）')

export const CaseNoteBody = z.object({ text: required(LIMITS.longText, '协商记录') })
export const CaseDecisionBody = z
  .object({
    decision: z.enum(['grant_with_conditions', 'uphold_refusal', 'reclassify'], '协调决定应为 grant_with_conditions、uphold_refusal 或 reclassify'),
    text: required(LIMITS.longText, '决定内容'),
    conditions: text(LIMITS.longText).optional().describe('grant_with_conditions：决定附带的使用条件（用途、范围、期限等）'),
    shareType: z
      .union([z.literal(1), z.literal(2)], '调整后的共享类型应为 1（无条件）或 2（有条件）')
      .optional()
      .describe('reclassify：调整后的共享类型'),
    itemIds: z.array(z.uuid('信息项编号格式不正确')).min(1).max(LIMITS.itemsPerResource).optional().describe('reclassify：调整的信息项（不填则为整个目录）'),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'reclassify' && !body.shareType)
      ctx.addIssue({ code: 'custom', path: ['shareType'], message: '调整目录共享类型的决定须给出调整后的共享类型' })
  })
export type CaseDecisionBody = z.infer<typeof CaseDecisionBody>
export const CaseListQuery = PageQuery.extend({
  status: z.enum(['open', 'negotiating', 'authority_coordinating', 'escalated_up', 'decided', 'closed']).optional(),
})

export const CaseOut = z.object({
  id: z.string(),
  origin: z.string(),
  requestId: z.string().nullable(),
  resourceId: z.string().nullable(),
  resourceName: z.string().nullable(),
  applicantOrgId: z.string(),
  applicantOrgName: z.string(),
  providerOrgId: z.string(),
  providerName: z.string(),
  statement: z.string(),
  status: z.string(),
  decision: z.string().nullable(),
  decisionText: z.string().nullable(),
  conditions: z.string().nullable(),
  objectionId: z.string().nullable(),
  demandId: z.string().nullable(),
  closedAt: z.date().nullable(),
  decidedAt: z.date().nullable(),
  createdAt: z.date(),
  notes: z.array(z.object({ at: z.date(), actorId: z.string(), orgId: z.string(), kind: z.string(), text: z.string() })).optional(),
  grantId: z.string().nullable().optional(),
})
