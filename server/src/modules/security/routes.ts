import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../platform/http/params.ts'
import { AddUpstreamHostBody, UpstreamHostOut } from './schemas.ts'
import { addUpstreamHost, listUpstreamHosts, removeUpstreamHost } from './service.ts'

const tags = ['security']

export const securityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/security/upstream-hosts',
    {
      config: { action: 'security.upstream.list' },
      schema: { tags, summary: '上游接口允许清单', response: { 200: z.object({ items: z.array(UpstreamHostOut) }) } },
    },
    (req) => listUpstreamHosts(req.ctx),
  )

  app.post(
    '/security/upstream-hosts',
    {
      config: { action: 'security.upstream.add' },
      schema: { tags, summary: '向允许清单添加主机、通配域名、IP 地址或网段', body: AddUpstreamHostBody, response: { 201: UpstreamHostOut } },
    },
    async (req, reply) => reply.code(201).send(await addUpstreamHost(req.ctx, req.body)),
  )

  app.delete(
    '/security/upstream-hosts/:id',
    {
      config: { action: 'security.upstream.remove' },
      schema: { tags, summary: '从允许清单移除（其上的上游接口自下次调用起被拒绝）', params: IdParams, response: { 200: UpstreamHostOut } },
    },
    (req) => removeUpstreamHost(req.ctx, req.params.id),
  )
}
