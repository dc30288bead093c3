import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { XLSX_CONTENT_TYPE, attachment } from '../../platform/http/spreadsheet.ts'
import { exportList, negativeList } from './lists.ts'
import { CreateDemandBody, DemandListQuery, DemandOut, ExportQuery, FulfilBody, NegativeOut, RespondBody, SuggestionOut, TriageBody } from './schemas.ts'
import { createDemand, fulfilDemand, getDemand, listDemands, respondDemand, suggestMatches, triageDemand } from './service.ts'

const tags = ['demands']

export const demandRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/demands',
    {
      config: { action: 'demands.demand.create' },
      schema: { tags, summary: '登记数据需求（目录中没有的数据）', body: CreateDemandBody, response: { 201: DemandOut } },
    },
    async (req, reply) => reply.code(201).send(await createDemand(req.ctx, req.body)),
  )

  app.get(
    '/demands',
    {
      config: { action: 'demands.demand.list' },
      schema: { tags, summary: '需求清单 / 责任清单', querystring: DemandListQuery, response: { 200: pageOf(DemandOut) } },
    },
    (req) => listDemands(req.ctx, req.query),
  )

  // Before /demands/:id, so the static path wins.
  app.get(
    '/demands/negative-list',
    {
      config: { action: 'demands.negative.list' },
      schema: { tags, summary: '负面清单：经确认不予共享的数据及其依据', response: { 200: z.object({ items: z.array(NegativeOut) }) } },
    },
    async (req) => ({ items: await negativeList(req.ctx) }),
  )

  app.get(
    '/demands/export',
    {
      config: { action: 'demands.demand.list' },
      schema: {
        tags,
        summary: '导出需求清单、责任清单或负面清单（Excel）',
        querystring: ExportQuery,
        response: { 200: { description: 'Excel 文件', content: { [XLSX_CONTENT_TYPE]: { schema: z.file() } } } },
      },
    },
    async (req, reply) => {
      const exported = await exportList(req.ctx, req.query.list)
      return (reply as FastifyReply)
        .header('content-type', exported.contentType)
        .header('content-disposition', attachment(exported.asciiFilename, exported.filename))
        .send(exported.stream)
    },
  )

  app.get(
    '/demands/:id',
    {
      config: { action: 'demands.demand.read' },
      schema: { tags, summary: '需求详情（含办理时间线）', params: IdParams, response: { 200: DemandOut } },
    },
    (req) => getDemand(req.ctx, req.params.id),
  )

  app.get(
    '/demands/:id/suggestions',
    {
      config: { action: 'demands.demand.triage' },
      schema: {
        tags,
        summary: '可匹配的已发布目录（按名称与信息项的中文文本相似度排序）',
        params: IdParams,
        response: { 200: z.object({ items: z.array(SuggestionOut) }) },
      },
    },
    async (req) => ({ items: await suggestMatches(req.ctx, req.params.id) }),
  )

  app.post(
    '/demands/:id/triage',
    {
      config: { action: 'demands.demand.triage' },
      schema: {
        tags,
        summary: '主管部门分办：指派提供部门 / 匹配现有目录（自动发起申请）/ 退回',
        params: IdParams,
        body: TriageBody,
        response: { 200: DemandOut },
      },
    },
    (req) => triageDemand(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/demands/:id/response',
    {
      config: { action: 'demands.demand.respond' },
      schema: { tags, summary: '提供部门接受（列入责任清单）或说明理由拒绝（转协调）', params: IdParams, body: RespondBody, response: { 200: DemandOut } },
    },
    (req) => respondDemand(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/demands/:id/fulfilment',
    {
      config: { action: 'demands.demand.fulfil' },
      schema: { tags, summary: '提供部门以已发布的目录满足需求（自动为需求方发起共享申请）', params: IdParams, body: FulfilBody, response: { 200: DemandOut } },
    },
    (req) => fulfilDemand(req.ctx, req.params.id, req.body),
  )
}
