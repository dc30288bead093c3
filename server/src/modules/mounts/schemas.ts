import { z } from 'zod'
import { upstreamUrlShapeProblem } from '../../../../common/upstream-url.ts'

/** Request and response shapes of the mounts endpoints (API.md "Mounting data"). */

const DataType = z.enum(['C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F'])

export const RejectedRowOut = z.object({
  line: z.number().int().describe('文件中的行号（表头为第 1 行）'),
  reason: z.string().describe('原因（指明列名）'),
})

export const UploadTableOut = z.object({
  mountId: z.string(),
  batchId: z.string(),
  rows: z.number().int().describe('导入的行数'),
  columns: z.array(z.string()).describe('与信息项对应上的列（文件表头）'),
  mapping: z.array(z.object({ header: z.string(), itemId: z.string(), itemName: z.string(), dataType: DataType })).describe('列与信息项的对应'),
  ignoredColumns: z.array(z.string()).describe('未对应任何信息项、被忽略的列'),
  rejectedRows: z.array(RejectedRowOut).describe('被跳过的行（最多列出 1000 行）'),
  rejectedTotal: z.number().int().describe('被跳过的总行数'),
  encoding: z.string().describe('utf-8 | utf-8-bom | gbk | xlsx'),
  format: z.enum(['csv', 'xlsx']),
  fileName: z.string(),
  lastDataTime: z.date().describe('数据时间：时间戳信息项的最大值，没有时为导入时间'),
})
export type UploadTableOut = z.infer<typeof UploadTableOut>

export const ReplacementPreviewOut = z.object({
  rowsBefore: z.number().int().nullable().describe('当前批次的行数；尚未挂接时为 null'),
  rowsAfter: z.number().int().describe('替换后的行数'),
  changePercent: z.number().nullable().describe('行数变化百分比（相对当前批次）'),
  missingItems: z
    .array(
      z.object({
        itemId: z.string(),
        name: z.string(),
        nameEn: z.string().nullable(),
        required: z.boolean().describe('必需的信息项（主键或基础信息项）'),
        hadBefore: z.boolean().describe('当前批次的文件有此列'),
      }),
    )
    .describe('文件中没有对应列的信息项（替换后为空）'),
  ignoredColumns: z.array(z.string()).describe('未对应任何信息项、将被忽略的列'),
  rejectedTotal: z.number().int().describe('不符合信息项要求的行数'),
  confirmationRequired: z.boolean().describe('替换须确认（confirm=true）：行数变化超过 50%，或当前批次有数据的信息项在文件中缺失'),
  reasons: z.array(z.string()).describe('须确认的原因'),
})

export const UploadPreviewOut = UploadTableOut.omit({ mountId: true, batchId: true, lastDataTime: true }).extend({
  rows: z.number().int().describe('试导入时为 0：未导入任何数据'),
  preview: ReplacementPreviewOut,
})
export type UploadPreviewOut = z.infer<typeof UploadPreviewOut>

export const FileVersionOut = z.object({
  mountId: z.string(),
  version: z.number().int(),
  fileName: z.string(),
  contentType: z.string().nullable(),
  size: z.number().int(),
  sm3: z.string().describe('SM3 摘要（十六进制）'),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
})
export type FileVersionOut = z.infer<typeof FileVersionOut>

const ParamName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, '参数名只能由字母、数字、下划线、点、连字符组成，且以字母或下划线开头')

export const RegisterApiBody = z.object({
  upstreamUrl: z
    .string({ error: '请填写上游接口地址' })
    .trim()
    .max(2000, '接口地址不能超过 2000 个字符')
    // The host itself is judged against the allow-list by the service (security module), after authorization.
    .superRefine((text, ctx) => {
      const problem = upstreamUrlShapeProblem(text)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    .describe('上游接口地址（仅提供方与主管部门可见）'),
  method: z.enum(['GET', 'POST'], '请求方法应为 GET 或 POST').default('GET'),
  params: z
    .array(z.object({ name: ParamName, required: z.boolean().default(false) }))
    .max(50, '参数不能超过 50 个')
    .default([])
    .refine((params) => new Set(params.map((p) => p.name)).size === params.length, '参数名不能重复'),
  timeoutMs: z.number().int('超时应为整数毫秒').min(100, '超时不能少于 100 毫秒').max(120_000, '超时不能超过 120000 毫秒').default(10_000),
})
export type RegisterApiBody = z.infer<typeof RegisterApiBody>

export const BatchOut = z.object({
  id: z.string(),
  status: z.enum(['loading', 'active', 'replaced', 'failed']),
  fileName: z.string().nullable(),
  encoding: z.string().nullable(),
  rowsLoaded: z.number().int(),
  rowsRejected: z.number().int(),
  rejectedSample: z.array(RejectedRowOut).optional().describe('被跳过的行及原因（引用单元格的值；仅提供方编目员、单位管理员与主管部门可见）'),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  createdBy: z.string().nullable(),
})

export const MountOut = z.object({
  id: z.string(),
  resourceId: z.string(),
  kind: z.enum(['table', 'file', 'api']),
  status: z.enum(['active', 'suspended']),
  /** Table: a batch is being served; file: a version exists; api: an upstream is registered. */
  live: z.boolean(),
  rowCount: z.number().int(),
  lastDataTime: z.date().nullable(),
  activeBatchId: z.string().nullable(),
  tableName: z.string().nullable().optional().describe('受管表名（仅提供方与主管部门可见）'),
  columns: z
    .array(z.object({ itemId: z.string(), column: z.string(), dataType: DataType }))
    .optional()
    .describe('信息项与列的对应（仅提供方与主管部门可见）'),
  batches: z.array(BatchOut).optional().describe('最近的导入批次'),
  restorable: z
    .object({
      batchId: z.string(),
      fileName: z.string().nullable(),
      rows: z.number().int(),
      replacedAt: z.date(),
      until: z.date().describe('保留期满的时间，之后不能恢复'),
    })
    .nullable()
    .optional()
    .describe('可恢复的上一批次（仅提供方与主管部门可见）'),
  files: z.array(FileVersionOut).optional().describe('文件版本（新的在前）'),
  upstreamUrl: z.string().nullable().optional().describe('上游接口地址（仅提供方与主管部门可见）'),
  method: z.string().nullable().optional(),
  params: z.array(z.object({ name: z.string(), required: z.boolean() })).optional(),
  timeoutMs: z.number().int().nullable().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
export type MountOut = z.infer<typeof MountOut>
