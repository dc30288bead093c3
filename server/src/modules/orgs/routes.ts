import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { CreateOrgBody, OrgListQuery, OrgOut, UpdateOrgBody } from './schemas.ts'
import { createOrg, getOrg, listOrgsFor, updateOrg } from './service.ts'

const tags = ['orgs']

export const orgRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/orgs',
    {
      config: { action: 'orgs.org.list' },
      schema: { tags, summary: '单位列表', querystring: OrgListQuery, response: { 200: pageOf(OrgOut) } },
    },
    (req) => listOrgsFor(req.ctx, req.query),
  )

  app.get(
    '/orgs/:id',
    {
      config: { action: 'orgs.org.read' },
      schema: { tags, summary: '单位详情', params: IdParams, response: { 200: OrgOut } },
    },
    (req) => getOrg(req.ctx, req.params.id),
  )

  app.post(
    '/orgs',
    {
      config: { action: 'orgs.org.create' },
      schema: { tags, summary: '新增单位', body: CreateOrgBody, response: { 201: OrgOut } },
    },
    async (req, reply) => reply.code(201).send(await createOrg(req.ctx, req.body)),
  )

  app.patch(
    '/orgs/:id',
    {
      config: { action: 'orgs.org.update' },
      schema: { tags, summary: '修改单位', params: IdParams, body: UpdateOrgBody, response: { 200: OrgOut } },
    },
    (req) => updateOrg(req.ctx, req.params.id, req.body),
  )
}
