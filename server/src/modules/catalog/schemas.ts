import { z } from 'zod'
import {
  CHANGE_EVENT_KINDS,
  DATA_GRADES,
  DATA_TYPES,
  FORMAT_CLASSES,
  OPEN_CONDITIONS,
  PI_CATEGORIES,
  RESOURCE_STATUSES,
  SHARE_MODE_CLASSES,
  SHARE_MODES,
  SPACE_SCOPES,
  SYNC_MECHS,
  UPDATE_CYCLES,
} from '../../../../common/catalog.ts'
import { LIMITS } from '../../../../common/limits.ts'
import { PageQuery, pageOf } from '../../platform/http/pagination.ts'
import { IsoDate } from '../../platform/http/params.ts'

const keysOf = <T extends object>(o: T) => Object.keys(o) as [Extract<keyof T, string>, ...Extract<keyof T, string>[]]
const codeEnum = <T extends object>(o: T, label: string) =>
  z
    .number({ error: `${label}应为代码数字` })
    .int()
    .refine(
      (n) => String(n) in o,
      `${label}代码无效，可选：${Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join('，')}`,
    )

const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 字`)
const requiredText = (max: number, label: string) => text(max).min(1, `${label}不能为空`)

/** Technical name: maps to a column, so SQL-safe by construction. */
export const NameEn = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, '英文名只能由字母、数字、下划线组成，且以字母开头')

export const ItemInput = z.object({
  id: z.uuid().optional().describe('已有信息项的编号（修改时保留，授权按编号引用）'),
  name: requiredText(LIMITS.itemName, '信息项名称').describe('信息项名称'),
  nameEn: NameEn.optional().describe('信息项英文名/字段名（库表方式必填）'),
  dataType: z.enum(keysOf(DATA_TYPES), '数据类型应为 C N Y D T L M G B I F 之一').describe('数据类型'),
  length: z.number().int().min(1).max(100_000).optional().describe('数据长度（字符型必填）'),
  precision: z.number().int().min(0).max(30).optional(),
  shareType: z.union([z.literal(1), z.literal(2), z.literal(3)], '共享类型应为 1 无条件共享、2 有条件共享、3 不予共享').describe('共享类型'),
  shareCondition: text(LIMITS.longText).optional().describe('共享条件（有条件、不予共享必填）'),
  openFlag: z.boolean().optional().describe('是否向社会开放（默认随资源）'),
  sensitive: z.boolean().default(false).describe('是否敏感'),
  piCategory: z.enum(keysOf(PI_CATEGORIES)).default('none').describe('个人信息类别'),
  secret: z.boolean().default(false).describe('是否涉密'),
  isPrimaryKey: z.boolean().default(false),
  isTimestamp: z.boolean().default(false).describe('时间戳字段（增量同步用，至多一个）'),
  basicItem: z.boolean().default(false).describe('基础信息项（必须无条件共享）'),
  dataElementRef: text(64).optional().describe('关联数据元'),
  authoritativeSourceOrgId: z.uuid().optional().describe('数源部门（一数一源）'),
  description: text(LIMITS.shortText).optional(),
})
export type ItemInput = z.infer<typeof ItemInput>

const resourceFields = {
  name: requiredText(LIMITS.resourceName, '信息资源名称').describe('信息资源名称（同一提供方内唯一）'),
  nameEn: NameEn.optional(),
  classCode: z
    .string()
    .trim()
    .regex(/^[1-3]\d{5,}$/, '分类码应为 类(1位)+项(2位)+目(3位)[+细目]')
    .describe('信息资源分类（目或细目）'),
  providerSubunit: text(60).optional().describe('提供方内部部门'),
  abstract: requiredText(LIMITS.abstract, '信息资源摘要').describe('信息资源摘要（≤256字）'),
  sourceSystem: text(100).optional().describe('来源信息系统名称'),
  formatClass: codeEnum(FORMAT_CLASSES, '信息资源格式分类').describe('格式分类 1–9'),
  formatType: requiredText(40, '信息资源格式类型').describe('格式类型，如 xlsx、PostgreSQL、RESTful'),
  formatOther: text(200).optional().describe('其他类型资源格式描述'),
  shareCondition: text(LIMITS.longText).optional().describe('共享条件（有条件/不予共享必填）'),
  shareBasis: text(LIMITS.longText).optional().describe('法律法规/政策依据（有条件/不予共享必填）'),
  shareModeClass: z.enum(SHARE_MODE_CLASSES).default('共享平台方式').describe('共享方式分类'),
  shareModeReason: text(LIMITS.shortText).optional().describe('非平台方式的理由（确因条件所限）'),
  shareModes: z
    .array(z.enum(keysOf(SHARE_MODES), '共享方式类型应为 table、file、api'))
    .max(3)
    .default([])
    .describe('共享方式类型'),
  openFlag: z.boolean().describe('是否向社会开放'),
  openCondition: z.enum(OPEN_CONDITIONS).optional().describe('开放条件'),
  updateCycle: codeEnum(UPDATE_CYCLES, '更新周期').describe('更新周期 1–8'),
  updateTimeLimit: text(60).optional().describe('更新时限，如「每日2:00前」'),
  relatedCodes: z
    .array(z.string().regex(/^[1-3]\d{5,}\/\d+$/, '关联资源代码格式应为 分类码/顺序码'))
    .max(20)
    .default([]),
  secret: z.boolean().default(false).describe('涉密属性（外网实例不允许涉密）'),
  dataGrade: z.enum(DATA_GRADES).default('一般数据').describe('数据分级'),
  survey: z
    .object({
      storageGb: z.number().min(0).max(1e9),
      records10k: z.number().min(0).max(1e9),
      sharedStorageGb: z.number().min(0).max(1e9),
      sharedRecords10k: z.number().min(0).max(1e9),
      openStorageGb: z.number().min(0).max(1e9),
      openRecords10k: z.number().min(0).max(1e9),
    })
    .partial()
    .default({})
    .describe('大普查统计'),
  dutyRefs: z.array(text(100).min(1)).max(20).default([]).describe('关联权责事项/政务服务事项'),
  spaceScope: z.enum(SPACE_SCOPES).optional(),
  timeRange: z.object({ from: IsoDate.optional(), to: IsoDate.optional() }).optional().describe('数据时间范围'),
  syncMech: z.enum(SYNC_MECHS).optional(),
  physDelete: z.boolean().optional(),
  contactName: text(30).optional().describe('共享咨询联系人（默认为编目人）'),
  contactPhone: z
    .string()
    .trim()
    .regex(/^[0-9-]{7,20}$/, '联系电话格式不正确')
    .optional(),
  items: z.array(ItemInput).max(LIMITS.itemsPerResource).default([]).describe('信息项'),
}

export const CreateResourceBody = z.object(resourceFields).meta({
  examples: [
    {
      name: '社会组织登记信息',
      classCode: '301001',
      abstract: '本市登记的社会团体、民办非企业单位和基金会的登记、变更、注销信息',
      formatClass: 3,
      formatType: 'PostgreSQL',
      shareModes: ['api', 'table'],
      openFlag: false,
      updateCycle: 2,
      shareCondition: '仅向承担社会组织监管职责的部门提供',
      shareBasis: '《社会团体登记管理条例》第二十七条',
      items: [
        { name: '统一社会信用代码', nameEn: 'uscc', dataType: 'C', length: 18, shareType: 1, isPrimaryKey: true },
        { name: '组织名称', nameEn: 'org_name', dataType: 'C', length: 200, shareType: 1 },
        {
          name: '法定代表人身份证号',
          nameEn: 'legal_rep_id',
          dataType: 'C',
          length: 18,
          shareType: 2,
          shareCondition: '用于身份核验',
          sensitive: true,
          piCategory: 'sensitive_personal',
        },
      ],
    },
  ],
})
export type CreateResourceBody = z.infer<typeof CreateResourceBody>

// An edit names only what changes: no field may fall back to a default (that would overwrite stored values).
const fieldsWithoutDefaults = Object.fromEntries(
  Object.entries(resourceFields).map(([key, schema]) => [key, schema instanceof z.ZodDefault ? schema.unwrap() : schema]),
) as unknown as typeof resourceFields

export const UpdateResourceBody = z
  .object(fieldsWithoutDefaults)
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少修改一项')
export type UpdateResourceBody = z.infer<typeof UpdateResourceBody>

export const ReviewBody = z
  .object({
    decision: z.enum(['approve', 'return'], '审核结论应为 approve 或 return'),
    comment: text(LIMITS.longText).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'return' && !body.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: '退回修改须填写意见' })
  })

export const WithdrawBody = z.object({ reason: requiredText(LIMITS.longText, '下架原因') })

export const ItemOut = z.object({
  id: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  dataType: z.string(),
  dataTypeLabel: z.string(),
  length: z.number().nullable(),
  precision: z.number().nullable(),
  shareType: z.number(),
  shareTypeLabel: z.string(),
  shareCondition: z.string().nullable(),
  openFlag: z.boolean(),
  sensitive: z.boolean(),
  piCategory: z.string(),
  secret: z.boolean(),
  isPrimaryKey: z.boolean(),
  isTimestamp: z.boolean(),
  basicItem: z.boolean(),
  dataElementRef: z.string().nullable(),
  authoritativeSourceOrgId: z.string().nullable(),
  description: z.string().nullable(),
})

/** A mount as the resource object lists it (API.md "Mounting data"); GET …/mounts has the details. */
export const MountSummaryOut = z.object({
  id: z.string(),
  kind: z.enum(['table', 'file', 'api']).describe('table 库表，file 文件，api 接口'),
  status: z.enum(['active', 'suspended']),
  live: z.boolean().describe('有数据可用：库表有生效批次、文件有版本、接口已登记上游地址'),
  rowCount: z.number().int(),
  lastDataTime: z.date().nullable().describe('数据最后更新时间'),
  staleSince: z.date().nullable().describe('未按时更新：每日新鲜度检查发现数据超过更新周期允许的时限，自该时起标注；null 为按时更新'),
})
export type MountSummaryOut = z.infer<typeof MountSummaryOut>

export const ResourceOut = z.object({
  id: z.string(),
  code: z.string().nullable().describe('信息资源代码 分类码/顺序码（首次发布时赋予）'),
  name: z.string(),
  nameEn: z.string().nullable(),
  providerOrgId: z.string(),
  providerName: z.string(),
  providerCode: z.string().nullable().describe('信息资源提供方代码（统一社会信用代码）'),
  providerSubunit: z.string().nullable(),
  classCode: z.string(),
  className: z.string(),
  abstract: z.string(),
  sourceSystem: z.string().nullable(),
  formatClass: z.number(),
  formatClassLabel: z.string(),
  formatType: z.string(),
  formatOther: z.string().nullable(),
  shareType: z.number(),
  shareTypeLabel: z.string(),
  shareCondition: z.string().nullable(),
  shareBasis: z.string().nullable(),
  shareModeClass: z.string(),
  shareModeReason: z.string().nullable(),
  shareModes: z.array(z.string()),
  openFlag: z.boolean(),
  openCondition: z.string().nullable(),
  updateCycle: z.number(),
  updateCycleLabel: z.string(),
  updateTimeLimit: z.string().nullable(),
  relatedCodes: z.array(z.string()),
  secret: z.boolean(),
  levelAttr: z.string(),
  dataGrade: z.string(),
  survey: z.record(z.string(), z.number()),
  dutyRefs: z.array(z.string()),
  spaceScope: z.string().nullable(),
  timeRange: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  syncMech: z.string().nullable(),
  physDelete: z.boolean().nullable(),
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  status: z.enum(keysOf(RESOURCE_STATUSES)),
  statusLabel: z.string(),
  version: z.number(),
  publishedVersion: z.number().nullable(),
  latestVersion: z.number().optional().describe('最新版本号（仅提供方与主管部门可见）'),
  pendingVersion: z.number().nullable().optional().describe('在所示版本之外已提交、待审核的新版本号（仅提供方与主管部门可见）'),
  publishedAt: z.date().nullable(),
  submittedAt: z.date().nullable(),
  reviewDueAt: z.date().nullable(),
  reviewComment: z.string().nullable(),
  withdrawnReason: z.string().nullable(),
  changedAt: z.date(),
  items: z.array(ItemOut),
  staleSince: z.date().nullable().describe('未按时更新（SPEC §7.3）：在用挂接中最早被标注未按时更新的时间；null 为按时更新'),
  mounts: z.array(MountSummaryOut).describe('挂接情况（与 GET …/mounts 相同的挂接，只含种类、状态、行数与数据时间）'),
  actions: z.record(z.string(), z.boolean()).describe('当前用户可执行的操作'),
  oneSourceWarnings: z
    .array(
      z.object({
        itemId: z.string(),
        itemName: z.string(),
        dataElementRef: z.string(),
        elementId: z.string(),
        elementName: z.string().describe('一数一源登记的数据元'),
        standardRef: z.string().nullable(),
        sourceOrgId: z.string().describe('该信息项登记的数源部门'),
        sourceOrgName: z.string(),
        otherResourceId: z.string().nullable().describe('数源部门已发布、含该数据元的目录（建议申请共享）'),
        otherResourceName: z.string().nullable(),
        otherProviderName: z.string(),
        otherItemName: z.string().nullable(),
        otherSourceOrgId: z.string().describe('一数一源指定的数源部门'),
        otherSourceOrgName: z.string(),
        message: z.string(),
      }),
    )
    .optional()
    .describe('一数一源提示（仅详情、提交与审核的返回中，且仅提供部门与主管部门可见）：同一数据元在其他部门已发布目录中登记了不同的数源部门'),
})
export type ResourceOut = z.infer<typeof ResourceOut>

export const SearchQuery = PageQuery.extend({
  q: z.string().trim().max(LIMITS.searchTerm).optional().describe('检索词：名称、摘要、信息项名称；中文至少两个字'),
  classCode: z
    .string()
    .regex(/^[1-3]\d*$/, '分类码只能是数字')
    .max(20)
    .optional()
    .describe('分类（含下级）'),
  providerOrgId: z.uuid().optional(),
  shareType: z.coerce.number().int().min(1).max(3).optional(),
  status: z.enum(keysOf(RESOURCE_STATUSES)).optional(),
  updateCycle: z.coerce.number().int().min(1).max(8).optional(),
  formatClass: z.coerce.number().int().min(1).max(9).optional(),
  shareMode: z.enum(keysOf(SHARE_MODES)).optional(),
  mine: z.enum(['true', 'false']).optional().describe('仅本单位的目录'),
})
export type SearchQuery = z.infer<typeof SearchQuery>

export const SearchPage = pageOf(ResourceOut).extend({
  totalCapped: z.boolean().describe('检索词命中超过 1000 条时为 true：total 记为 1000，只能翻阅前 1000 条（请增加检索词或筛选条件）；不带检索词时总为 false'),
  matchedTerms: z.array(z.string()).describe('检索所用的词：各检索词及其同义词（如 社保 → 社会保险），供界面高亮'),
})

export const VersionOut = z.object({
  version: z.number(),
  status: z.string(),
  statusLabel: z.string(),
  name: z.string(),
  changedBy: z.string().nullable(),
  changedByName: z.string().nullable(),
  changedAt: z.date(),
  changedFields: z.array(z.string()),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.date().nullable(),
  reviewComment: z.string().nullable(),
  publishedAt: z.date().nullable(),
})

export const ClassNodeOut = z.object({
  code: z.string(),
  name: z.string(),
  leadOrgId: z.string().nullable(),
  get children(): z.ZodArray<typeof ClassNodeOut> {
    return z.array(ClassNodeOut)
  },
})
// A recursive schema needs a component name for the OpenAPI document.
z.globalRegistry.add(ClassNodeOut, { id: 'ClassNode' })

export const CreateClassBody = z.object({
  parentCode: z
    .string()
    .regex(/^[1-3]\d*$/, '上级分类码只能是数字')
    .max(20),
  code: z
    .string()
    .regex(/^[1-3]\d{2,}$/, '分类码只能是数字')
    .max(24)
    .describe('新分类码：上级码 + 项(2位)/目(3位)/细目(3位)'),
  name: requiredText(60, '分类名称'),
  leadOrgId: z.uuid().optional().describe('牵头部门（基础库/主题库）'),
})

export const ClassCodeParams = z.object({
  code: z
    .string()
    .regex(/^[1-3]\d*$/, '分类码只能是数字')
    .max(24),
})

export const UpdateClassBody = z.object({
  leadOrgId: z.uuid().nullable().describe('牵头部门（null 清除，由上级分类的牵头部门负责）'),
})

export const ChangeEventBody = z.object({
  orgId: z.uuid().optional().describe('发生变化的单位（默认本单位；主管部门可代登记）'),
  kind: z.enum(keysOf(CHANGE_EVENT_KINDS), '变化类型应为 law_revision（法律法规修订）或 function_change（职能调整）'),
  occurredOn: IsoDate.optional().describe('变化生效日期（默认今天）'),
  description: requiredText(LIMITS.longText, '变化说明'),
})

export const ReviewTaskQuery = PageQuery.extend({
  status: z.enum(['open', 'done']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  orgId: z.uuid().optional(),
})
export type ReviewTaskQuery = z.infer<typeof ReviewTaskQuery>

export const ReviewTaskOut = z.object({
  id: z.string(),
  resourceId: z.string(),
  resourceName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  eventId: z.string(),
  eventKind: z.string(),
  eventDescription: z.string(),
  dueDate: z.string(),
  dueAt: z.date(),
  overdue: z.boolean(),
  status: z.enum(['open', 'done']),
  resolution: z.string().nullable(),
  doneAt: z.date().nullable(),
})

export const CompleteTaskBody = z.object({ resolution: requiredText(LIMITS.longText, '处理说明') })
