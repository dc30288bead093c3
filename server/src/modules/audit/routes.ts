import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { attachment } from '../../platform/http/spreadsheet.ts'
import { AuditEventOut, AuditExportQuery, AuditQuery, VerifyOut } from './schemas.ts'
import { exportAuditEvents, listAuditEvents, verifyChain } from './service.ts'

const tags = ['audit']

// Read-only by design (SPEC §8.4 S12 append-only): no route changes or deletes an audit event.
export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit/events',
    {
      config: { action: 'audit.event.list' },
      schema: { tags, summary: '审计日志查询（新的在前）', querystring: AuditQuery, response: { 200: pageOf(AuditEventOut) } },
    },
    (req) => listAuditEvents(req.ctx, req.query),
  )

  app.get(
    '/audit/events/export',
    {
      config: { action: 'audit.event.export' },
      schema: {
        tags,
        summary: '导出审计日志（CSV 或 XLSX，按时间先后，流式输出）',
        description: '筛选条件同「审计日志查询」（不分页）。CSV 为 UTF-8 带 BOM，Excel 可直接打开；XLSX 最多 1,000,000 行。导出操作本身记入审计日志。',
        querystring: AuditExportQuery,
        response: {
          200: {
            description: '审计日志文件',
            content: {
              'text/csv': { schema: z.string() },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.file() },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const exported = await exportAuditEvents(req.ctx, req.query)
      // A stream is sent as is (never serialized).
      return (reply as FastifyReply)
        .header('content-type', exported.contentType)
        .header('content-disposition', attachment(exported.asciiFilename, exported.filename))
        .send(exported.stream)
    },
  )

  app.get(
    '/audit/verify',
    {
      config: { action: 'audit.chain.verify' },
      schema: { tags, summary: '校验 SM3 哈希链（从最后一个归档段接续）', response: { 200: VerifyOut } },
    },
    (req) => verifyChain(req.ctx),
  )
}
