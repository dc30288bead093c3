import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { CaseDecisionBody, CaseOut, CaseQuery, ElementBody, ElementOut } from './schemas.ts'
import { createElement, decideCase, listCases, listElements, updateElement } from './service.ts'

const tags = ['elements']

export const elementRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/data-elements',
    {
      config: { action: 'elements.element.list' },
      schema: { tags, summary: '一数一源：数据元及其数源部门', response: { 200: z.object({ items: z.array(ElementOut) }) } },
    },
    async (req) => ({ items: await listElements(req.ctx) }),
  )

  app.post(
    '/data-elements',
    {
      config: { action: 'elements.element.manage' },
      schema: { tags, summary: '登记数据元并指定数源部门', body: ElementBody, response: { 201: ElementOut } },
    },
    async (req, reply) => reply.code(201).send(await createElement(req.ctx, req.body)),
  )

  app.put(
    '/data-elements/:id',
    {
      config: { action: 'elements.element.manage' },
      schema: { tags, summary: '修改数据元（含改指定数源部门）', params: IdParams, body: ElementBody, response: { 200: ElementOut } },
    },
    (req) => updateElement(req.ctx, req.params.id, req.body),
  )

  app.get(
    '/data-element-cases',
    {
      config: { action: 'elements.case.list' },
      schema: { tags, summary: '重复采集工作台（主管部门全部；部门本单位）', querystring: CaseQuery, response: { 200: pageOf(CaseOut) } },
    },
    (req) => listCases(req.ctx, req.query),
  )

  app.post(
    '/data-element-cases/:id/decision',
    {
      config: { action: 'elements.case.decide' },
      schema: { tags, summary: '处理重复采集：改为共享获取或确认合理例外', params: IdParams, body: CaseDecisionBody, response: { 200: CaseOut } },
    },
    (req) => decideCase(req.ctx, req.params.id, req.body),
  )
}
