import { z } from 'zod'
import { REGION_CODES } from '../../../../common/regions.ts'
import { usccProblem } from '../../../../common/uscc.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

export const ORG_KINDS = ['authority', 'department', 'region'] as const
export const ORG_TYPES = ['党委', '人大', '政府部门', '政协', '法院', '检察院', '事业单位', '其他'] as const

export const OrgOut = z.object({
  id: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  code: z.string().nullable().describe('统一社会信用代码'),
  regionCode: z.string(),
  parentId: z.string().nullable(),
  kind: z.enum(ORG_KINDS),
  orgType: z.string(),
  status: z.enum(['active', 'disabled']),
})

const Uscc = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((code, ctx) => {
    const problem = usccProblem(code)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

export const CreateOrgBody = z
  .object({
    name: z.string().trim().min(2).max(60).describe('单位名称'),
    shortName: z.string().trim().max(20).optional(),
    code: Uscc.optional().describe('统一社会信用代码（部门、主管部门必填）'),
    regionCode: z.enum(REGION_CODES as [string, ...string[]], '行政区划代码应为潍坊市或其所辖区县的代码').describe('GB/T 2260 行政区划代码'),
    parentId: z.uuid().optional(),
    kind: z.enum(ORG_KINDS),
    orgType: z.enum(ORG_TYPES).default('政府部门'),
  })
  .superRefine((body, ctx) => {
    if (body.kind !== 'region' && !body.code) ctx.addIssue({ code: 'custom', path: ['code'], message: '部门须填写统一社会信用代码' })
  })
export type CreateOrgBody = z.infer<typeof CreateOrgBody>

export const UpdateOrgBody = z
  .object({
    name: z.string().trim().min(2).max(60),
    shortName: z.string().trim().max(20).nullable(),
    status: z.enum(['active', 'disabled']),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少修改一项')
export type UpdateOrgBody = z.infer<typeof UpdateOrgBody>

export const OrgListQuery = PageQuery.extend({
  pageSize: z.coerce.number().int().min(1).max(200).default(200),
  kind: z.enum(ORG_KINDS).optional(),
  regionCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  parentId: z.uuid().optional(),
  q: z.string().trim().max(60).optional(),
})
export type OrgListQuery = z.infer<typeof OrgListQuery>
