import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

export const DEMAND_PURPOSES = ['行政依据', '工作参考', '数据校核', '业务协同', '其他'] as const
export const DEMAND_STATUSES = ['submitted', 'assigned', 'accepted', 'fulfilled', 'declined', 'matched', 'rejected'] as const
export const DEMAND_STATUS_LABELS: Record<(typeof DEMAND_STATUSES)[number], string> = {
  submitted: '待分办',
  assigned: '已指派，待提供部门响应',
  accepted: '提供部门已接受（责任清单）',
  fulfilled: '已满足',
  declined: '提供部门拒绝（协调中）',
  matched: '已匹配现有目录',
  rejected: '已退回',
}

const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 字`)
const required = (max: number, label: string) => text(max).min(1, `${label}不能为空`)

export const CreateDemandBody = z.object({
  title: required(LIMITS.resourceName, '需求数据名称').describe('需要的数据，如「不动产登记信息」'),
  description: required(LIMITS.longText, '需求说明'),
  wantedItems: z.array(required(LIMITS.itemName, '信息项名称')).min(1, '至少列出一个需要的信息项').max(100, '最多 100 个信息项'),
  purpose: z.enum(DEMAND_PURPOSES, '使用用途应为 行政依据、工作参考、数据校核、业务协同、其他 之一'),
  dutyBasis: required(LIMITS.longText, '履职依据'),
  urgency: z.enum(['normal', 'urgent'], '紧急程度应为 normal 或 urgent').default('normal'),
  suggestedProviderOrgId: z.uuid('建议提供部门编号格式不正确').optional(),
  appIds: z.array(z.uuid('应用编号格式不正确')).max(LIMITS.appsPerRequest).default([]).describe('需求满足后自动发起的共享申请所用的本单位应用（接口方式）'),
})
export type CreateDemandBody = z.infer<typeof CreateDemandBody>

export const TriageBody = z
  .object({
    decision: z.enum(['assign', 'match', 'reject'], '分办结果应为 assign（指派提供部门）、match（匹配现有目录）或 reject（退回）'),
    providerOrgId: z.uuid('提供部门编号格式不正确').optional(),
    resourceId: z.uuid('目录编号格式不正确').optional(),
    comment: text(LIMITS.longText).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.decision === 'assign' && !b.providerOrgId) ctx.addIssue({ code: 'custom', path: ['providerOrgId'], message: '请选择提供部门' })
    if (b.decision === 'match' && !b.resourceId) ctx.addIssue({ code: 'custom', path: ['resourceId'], message: '请选择匹配的目录' })
    if (b.decision === 'reject' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: '退回须说明理由' })
  })
export const RespondBody = z
  .object({
    decision: z.enum(['accept', 'decline'], '响应应为 accept（接受）或 decline（拒绝）'),
    comment: text(LIMITS.longText).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.decision === 'decline' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: '拒绝须说明理由' })
  })
export const FulfilBody = z.object({ resourceId: z.uuid('目录编号格式不正确'), comment: text(LIMITS.longText).optional() })

export const DemandListQuery = PageQuery.extend({
  list: z.enum(['demand', 'responsibility']).default('demand').describe('demand 需求清单 / responsibility 责任清单（已接受的需求及期限，按提供部门）'),
  status: z.enum(DEMAND_STATUSES).optional(),
})
export const ExportQuery = z.object({ list: z.enum(['demand', 'responsibility', 'negative'], '清单应为 demand、responsibility 或 negative') })

export const DemandOut = z.object({
  id: z.string(),
  no: z.string(),
  title: z.string(),
  description: z.string(),
  wantedItems: z.array(z.string()),
  purpose: z.string(),
  dutyBasis: z.string(),
  urgency: z.string(),
  requesterOrgId: z.string(),
  requesterOrgName: z.string(),
  createdByName: z.string(),
  suggestedProviderName: z.string().nullable(),
  status: z.string(),
  statusLabel: z.string(),
  providerOrgId: z.string().nullable(),
  providerName: z.string().nullable(),
  matchedResourceId: z.string().nullable(),
  matchedResourceName: z.string().nullable(),
  resourceId: z.string().nullable(),
  resourceName: z.string().nullable(),
  requestId: z.string().nullable(),
  caseId: z.string().nullable(),
  response: z.string().nullable(),
  stage: z.string().nullable(),
  dueDate: z.string().nullable(),
  escalated: z.boolean(),
  createdAt: z.date(),
  events: z
    .array(z.object({ at: z.date(), action: z.string(), toStatus: z.string(), comment: z.string().nullable(), actorName: z.string().nullable() }))
    .optional(),
})

export const SuggestionOut = z.object({
  resourceId: z.string(),
  name: z.string(),
  providerName: z.string(),
  score: z.number().describe('0–1：名称与信息项的中文文本相似度'),
  matchedItems: z.array(z.string()),
})

export const NegativeOut = z.object({
  resourceId: z.string(),
  resourceName: z.string(),
  providerName: z.string(),
  itemName: z.string().nullable().describe('不予共享的信息项；为空表示整个目录'),
  basis: z.string(),
})
