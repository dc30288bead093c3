import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

export const OBJECTION_TYPES = ['error', 'missing', 'inconsistent', 'outdated', 'format', 'other'] as const
export const OBJECTION_TYPE_LABELS: Record<(typeof OBJECTION_TYPES)[number], string> = {
  error: '数据错误',
  missing: '数据缺失',
  inconsistent: '数据不一致',
  outdated: '过期/未更新',
  format: '格式不规范',
  other: '其他',
}
export const OBJECTION_STATUSES = ['raised', 'dismissed', 'verifying', 'correcting', 'resolved', 'explained', 'coordination'] as const

/** R-11, shown wherever a flagged record is shown. */
export const R11_RULE =
  '该记录存在数据异议，正在核实。群众或企业持有效证明材料的，经办人员应当照常办理，不得拒绝、拖延或要求其自行更正数据（国发〔2016〕51号）。'

/** Evidence is small (a photo or a scan of a certificate); larger material stays with the raiser. */
export const EVIDENCE_LIMITS = { files: 3, bytes: 1024 * 1024 } as const
/** The raising request's body: three files in base64 and the text around them. */
export const RAISE_BODY_LIMIT = Math.ceil((EVIDENCE_LIMITS.files * EVIDENCE_LIMITS.bytes * 4) / 3) + 64 * 1024

const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 字`)
const required = (max: number, label: string) => text(max).min(1, `${label}不能为空`)

export const RaiseBody = z.object({
  resourceId: z.uuid('资源编号格式不正确'),
  itemIds: z.array(z.uuid('信息项编号格式不正确')).min(1, '至少选择一个有异议的信息项').max(LIMITS.itemsPerResource),
  recordKeys: z.array(required(LIMITS.shortText, '记录主键')).min(1, '至少填写一条记录的主键值').max(50, '一次最多对 50 条记录提出异议'),
  type: z.enum(OBJECTION_TYPES, '异议类型应为 错误、缺失、不一致、过期、格式不规范、其他 之一'),
  description: required(LIMITS.longText, '异议说明'),
  evidence: z
    .array(
      z.object({
        fileName: required(LIMITS.shortText, '文件名'),
        contentType: z.string().trim().max(100).default('application/octet-stream'),
        contentBase64: z
          .string()
          .min(1, '文件内容不能为空')
          .max(Math.ceil((EVIDENCE_LIMITS.bytes * 4) / 3) + 4, '证明材料单个文件不能超过 1 MB'),
      }),
    )
    .max(EVIDENCE_LIMITS.files, `证明材料最多 ${EVIDENCE_LIMITS.files} 个文件`)
    .default([]),
})
export type RaiseBody = z.infer<typeof RaiseBody>

export const AcceptBody = z
  .object({
    decision: z.enum(['accept', 'dismiss'], '处理结果应为 accept（受理）或 dismiss（驳回）'),
    comment: text(LIMITS.longText).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.decision === 'dismiss' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: '驳回须说明理由' })
  })
export const VerifyBody = z.object({
  outcome: z.enum(['confirm', 'explain'], '核实结果应为 confirm（确认有误，源头更正）或 explain（数据无误，予以说明）'),
  comment: required(LIMITS.longText, '核实说明'),
})
export const CommentBody = z.object({ comment: required(LIMITS.longText, '说明') })
export const ListQuery = PageQuery.extend({
  box: z.enum(['raised', 'received', 'all']).default('all').describe('raised 本单位提出的 / received 本单位数据收到的 / all 可见的全部'),
  status: z.enum(OBJECTION_STATUSES).optional(),
})

export const ObjectionOut = z.object({
  id: z.string(),
  no: z.string(),
  resourceId: z.string(),
  resourceName: z.string(),
  providerOrgId: z.string(),
  providerName: z.string(),
  raiserOrgId: z.string(),
  raiserOrgName: z.string(),
  raisedByName: z.string(),
  itemIds: z.array(z.string()),
  itemNames: z.array(z.string()),
  recordKeys: z.array(z.string()),
  type: z.string(),
  typeLabel: z.string(),
  description: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  flagged: z.boolean(),
  stage: z.string().nullable(),
  dueDate: z.string().nullable(),
  escalated: z.boolean(),
  response: z.string().nullable(),
  caseId: z.string().nullable(),
  createdAt: z.date(),
  evidence: z.array(z.object({ id: z.string(), fileName: z.string(), sizeBytes: z.number() })).optional(),
  events: z
    .array(z.object({ at: z.date(), action: z.string(), toStatus: z.string(), comment: z.string().nullable(), actorName: z.string().nullable() }))
    .optional(),
  rule: z.string().describe('R-11：有异议期间照常办理的规则'),
})
