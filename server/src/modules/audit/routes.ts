import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { AuditEventOut, AuditQuery, VerifyOut } from './schemas.ts'
import { listAuditEvents, verifyChain } from './service.ts'

const tags = ['audit']

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit/events', {
    config: { action: 'audit.event.list' },
    schema: { tags, summary: '审计日志查询（新的在前）', querystring: AuditQuery, response: { 200: pageOf(AuditEventOut) } },
  }, (req) => listAuditEvents(req.ctx, req.query))

  app.get('/audit/verify', {
    config: { action: 'audit.chain.verify' },
    schema: { tags, summary: '校验 SM3 哈希链', response: { 200: VerifyOut } },
  }, (req) => verifyChain(req.ctx))
}
