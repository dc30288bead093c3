import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError, fieldError, validationFailed } from '../../../platform/http/errors.ts'
import { contentDisposition } from '../../../platform/http/download.ts'
import { readWhole } from '../../../platform/uploads/buffered.ts'
import { type UploadLease, uploadBudget } from '../../../platform/uploads/memory-budget.ts'
import { ExportQuery, ImportForm, ImportResultOut, XLSX_MIME } from './schemas.ts'
import { EXPORT_MAX, type ImportUpload, exportCatalog, importCatalog } from './service.ts'

const tags = ['catalog']

/**
 * Reads the multipart form: one `file` part and the optional `loadValid` field, in any order.
 * Fastify's own multipart errors (413 for a file over the limit, 415 for a non-multipart body) pass
 * through; anything else the parser trips on is a malformed upload, answered 400.
 */
async function readImportForm(req: FastifyRequest, lease: UploadLease): Promise<ImportUpload> {
  let file: { data: Buffer; filename: string } | undefined
  let loadValid: string | undefined
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const data = await readWhole(part.file, lease, { maxBytes: IMPORT_MAX_BYTES, factor: 1 })
        if (part.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', '上传文件过大')
        if (part.fieldname !== 'file') throw fieldError(part.fieldname, `请用 file 字段上传文件（收到的字段为「${part.fieldname}」）`)
        file = { data, filename: part.filename }
      } else if (part.fieldname === 'loadValid') {
        loadValid = String(part.value)
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error
    const status = (error as { statusCode?: number }).statusCode
    if (status && status < 500 && (error as { code?: string }).code) throw error
    throw validationFailed([{ field: 'file', message: '上传内容不是有效的 multipart/form-data 表单' }], '上传内容无法解析，请重新上传')
  }
  if (!file) throw fieldError('file', '请选择要导入的 Excel 文件（表单字段 file）')
  if (loadValid !== undefined && loadValid !== 'true' && loadValid !== 'false') throw fieldError('loadValid', 'loadValid 只能是 true 或 false')
  return { ...file, loadValid: loadValid === 'true', lease }
}

// The platform-wide multipart limit (app.ts): a catalog workbook is a few MB.
const IMPORT_MAX_BYTES = 20 * 1024 * 1024

/** Excel import and export of catalog entries in the columns of the national 2017 template (see columns.ts). */
export const catalogExcelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/catalog/import',
    {
      config: { action: 'catalog.resource.import' },
      // The form is read as a stream in the handler; the body schema is for the OpenAPI document only.
      validatorCompiler: () => (data) => ({ value: data }),
      schema: {
        tags,
        summary: '按 2017 年国家目录模板导入目录（生成本单位草稿）',
        description:
          'multipart/form-data：file 为 .xlsx 工作簿（「信息资源」每行一条目录，「信息项」每行一个信息项，用「资源序号」对应）。' +
          '默认全部无误才导入，否则 400 并在 details 中列出每个错误（field 形如「信息资源!第3行.共享条件」）；loadValid=true 时只导入无误的目录，其余列在 rejected 中。',
        consumes: ['multipart/form-data'],
        body: ImportForm,
        response: { 201: ImportResultOut },
      },
    },
    async (req, reply) => {
      // The workbook is held whole while it is read: its memory comes from the shared upload budget.
      const lease = uploadBudget(req.ctx.config).lease()
      try {
        return reply.code(201).send(await importCatalog(req.ctx, await readImportForm(req, lease)))
      } finally {
        lease.release()
      }
    },
  )

  app.get(
    '/catalog/export',
    {
      config: { action: 'catalog.resource.export' },
      schema: {
        tags,
        summary: '导出目录为 Excel（2017 年国家目录模板列，可再导入）',
        description: `检索条件同「检索目录」（不分页），导出当前用户可见的目录，最多 ${EXPORT_MAX} 条；X-Total-Count 为符合条件的总数。`,
        querystring: ExportQuery,
        response: {
          200: { description: '目录工作簿', content: { [XLSX_MIME]: { schema: z.file().mime([XLSX_MIME]) } } },
        },
      },
    },
    async (req, reply) => {
      const exported = await exportCatalog(req.ctx, req.query)
      // A Buffer is sent as is (never serialized); the typed reply only knows the schema's File.
      return (reply as FastifyReply)
        .header('content-type', XLSX_MIME)
        .header('content-disposition', contentDisposition(exported.asciiFilename, exported.filename))
        .header('x-total-count', String(exported.total))
        .header('x-export-count', String(exported.count))
        .send(exported.data)
    },
  )
}
