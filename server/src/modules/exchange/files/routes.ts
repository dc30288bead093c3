import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { contentDisposition } from '../../../platform/http/download.ts'
import { routeDoc } from '../../../platform/http/openapi.ts'
import { IdParams } from '../../../platform/http/params.ts'
import { DownloadOut, DownloadQuery, GrantFileOut, GrantFileParams } from './schemas.ts'
import { downloadGrantFile, listGrantDownloads, listGrantFiles, traceDownload } from './service.ts'

const tags = ['exchange']

/** File delivery of 文件 grants: marked downloads, their log, and tracing a leaked copy by its download id. */
export const fileDeliveryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/grants/:id/files',
    {
      config: { action: 'exchange.download.list' },
      schema: { tags, summary: '文件授权可下载的文件版本（不含内容）', params: IdParams, response: { 200: z.object({ items: z.array(GrantFileOut) }) } },
    },
    (req) => listGrantFiles(req.ctx, req.params.id),
  )

  app.get(
    '/grants/:id/files/:fileId/download',
    {
      config: { action: 'exchange.file.download' },
      schema: {
        tags,
        summary: '下载文件授权的文件（带下载标记的副本）',
        description:
          '仅使用方、授权有效（未撤销、暂停或过期）时可下载。每次下载记录下载人、文件版本、时间、用途和业务编号，计入使用记录和审计日志；' +
          '所交付副本写入下载标记（下载编号、使用单位、时间）：XLSX/DOCX 写入文档属性并加可见说明，PDF 写入文档信息，CSV/TXT 首行加注释；其他格式仅记录在下载日志。' +
          '响应头 X-Download-Id 为下载编号。',
        params: GrantFileParams,
        querystring: DownloadQuery,
        response: { 200: { description: '文件（带下载标记的副本）', content: { 'application/octet-stream': { schema: z.file() } } } },
        ...routeDoc({ errors: [403, 409] }),
      },
    },
    async (req, reply) => {
      const file = await downloadGrantFile(req.ctx, req.params.id, req.params.fileId, req.query)
      // A Buffer is sent as is (never serialized); the typed reply only knows the schema's File.
      return (reply as FastifyReply)
        .header('content-type', file.contentType || 'application/octet-stream')
        .header('content-disposition', contentDisposition(file.fileName, file.fileName))
        .header('x-download-id', file.downloadId)
        .header('cache-control', 'no-store')
        .send(file.content)
    },
  )

  app.get(
    '/grants/:id/file-downloads',
    {
      config: { action: 'exchange.download.list' },
      schema: {
        tags,
        summary: '文件授权的下载记录（最新在前）',
        params: IdParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ items: z.array(DownloadOut) }) },
      },
    },
    (req) => listGrantDownloads(req.ctx, req.params.id, req.query.limit),
  )

  app.get(
    '/exchange/downloads/:id',
    {
      config: { action: 'exchange.download.trace' },
      schema: { tags, summary: '按下载编号追查文件副本的来源（使用单位、下载人、时间、用途）', params: IdParams, response: { 200: DownloadOut } },
    },
    (req) => traceDownload(req.ctx, req.params.id),
  )
}
