import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 字`)
const required = (max: number, label: string) => text(max).min(1, `${label}不能为空`)

export const ElementBody = z.object({
  name: required(LIMITS.itemName, '数据元名称'),
  standardRef: text(LIMITS.shortText).optional().describe('标准依据，如 GB 11643-1999'),
  aliases: z.array(required(LIMITS.itemName, '别名')).max(20, '别名最多 20 个').default([]),
  sourceOrgId: z.uuid('数源部门编号格式不正确'),
  note: text(LIMITS.longText).optional(),
})
export const ElementOut = z.object({
  id: z.string(),
  name: z.string(),
  standardRef: z.string().nullable(),
  aliases: z.array(z.string()),
  sourceOrgId: z.string(),
  sourceOrgName: z.string(),
  note: z.string().nullable(),
  openCases: z.number(),
})
export const CaseQuery = PageQuery.extend({ status: z.enum(['open', 'request_instead', 'exception']).optional() })
export const CaseDecisionBody = z
  .object({
    decision: z.enum(['request_instead', 'exception'], '处理结果应为 request_instead（改为共享获取）或 exception（确认合理例外）'),
    note: text(LIMITS.longText).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.decision === 'exception' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: '确认例外须说明理由' })
  })
export const CaseOut = z.object({
  id: z.string(),
  elementId: z.string(),
  elementName: z.string(),
  standardRef: z.string().nullable(),
  sourceOrgName: z.string(),
  resourceId: z.string(),
  resourceName: z.string().nullable(),
  itemName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  status: z.string(),
  note: z.string().nullable(),
  decidedAt: z.date().nullable(),
  createdAt: z.date(),
})
