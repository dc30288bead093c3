import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'
import { reasonProblem } from '../../../../common/reasons.ts'

export const ParameterOut = z.object({
  key: z.string(),
  label: z.string(),
  description: z.string(),
  /** null: the city-wide value; a county's code: that county's (inherited from the city unless set). */
  regionCode: z.string().nullable(),
  value: z.number(),
  default: z.number(),
  allowed: z.array(z.number()),
  updatedAt: z.date().nullable(),
  updatedByName: z.string().nullable(),
})

export const ParameterParams = z.object({ key: z.string().max(100).describe('参数键，如 sharing.providerReplyWorkdays') })

export const TenantQuery = z.object({
  regionCode: z
    .string()
    .regex(/^\d{6}$/, '区划代码应为 6 位数字')
    .optional()
    .describe('区县代码：该区县的取值（未单独设置时沿用全市）；不填为全市'),
})

export const UpdateParameterBody = z.object({
  value: z.number().describe('新值：必须是该参数允许的取值之一'),
  // A city-wide clock changes every department's deadlines: the audit log keeps why it was changed.
  reason: z
    .string('修改原因不能为空')
    .trim()
    .max(LIMITS.longText, `修改原因不能超过 ${LIMITS.longText} 字`)
    .superRefine((reason, ctx) => {
      const problem = reasonProblem(reason, '修改原因')
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    .describe('修改原因（必填，记入审计日志；须写明具体依据，如文件文号）'),
})
