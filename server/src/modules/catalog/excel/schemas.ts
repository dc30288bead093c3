import { z } from 'zod'
import { SearchQuery } from '../schemas.ts'

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * The multipart form of an import. The route reads the parts itself (a stream), so this schema only
 * documents the form in OpenAPI; the route's validator passes the (empty) body through.
 */
export const ImportForm = z.object({
  file: z.file().mime([XLSX_MIME]).describe('目录工作簿（.xlsx，2017 年国家目录模板列，「信息资源」「信息项」两个工作表）'),
  loadValid: z.enum(['true', 'false']).optional().describe('true：有错误的目录不导入、其余照常导入；默认全部无误才导入'),
})

export const RejectedRow = z.object({
  sheet: z.string().describe('工作表'),
  line: z.number().int().describe('Excel 行号（表头为第 1 行）'),
  column: z.string().describe('列名'),
  message: z.string(),
})
export type RejectedRow = z.infer<typeof RejectedRow>

export const ImportResultOut = z.object({
  created: z.number().int().describe('新建的草稿数'),
  ids: z.array(z.string()).describe('新建草稿的编号，按「信息资源」工作表的行序'),
  rejected: z.array(RejectedRow).describe('未导入的行及原因（loadValid=true 时）'),
  ignoredColumns: z.array(z.string()).describe('未识别、已忽略的列（工作表!列名）'),
})
export type ImportResultOut = z.infer<typeof ImportResultOut>

/** The search's filters, without paging: an export holds every match (up to the cap). */
export const ExportQuery = SearchQuery.omit({ page: true, pageSize: true })
export type ExportQuery = z.infer<typeof ExportQuery>
