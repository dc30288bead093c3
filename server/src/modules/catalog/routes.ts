import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { createClassNode, getClassTree, setClassLead } from './classes.ts'
import { completeReviewTask, listReviewTasks, recordChangeEvent } from './review-tasks.ts'
import {
  ChangeEventBody,
  ClassCodeParams,
  ClassNodeOut,
  CompleteTaskBody,
  CreateClassBody,
  CreateResourceBody,
  ResourceOut,
  ReviewBody,
  ReviewTaskOut,
  ReviewTaskQuery,
  SearchPage,
  SearchQuery,
  UpdateClassBody,
  UpdateResourceBody,
  VersionOut,
  WithdrawBody,
} from './schemas.ts'
import { createResource, getResource, listResourceVersions, reviewResource, searchCatalog, submitResource, updateEntry, withdrawResource } from './service.ts'

const tags = ['catalog']

export const catalogRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/catalog/classes',
    {
      config: { action: 'catalog.class.list' },
      schema: { tags, summary: '目录分类树', response: { 200: z.array(ClassNodeOut) } },
    },
    (req) => getClassTree(req.ctx.db),
  )

  app.post(
    '/catalog/classes',
    {
      config: { action: 'catalog.class.create' },
      schema: { tags, summary: '新增分类节点', body: CreateClassBody, response: { 201: ClassNodeOut } },
    },
    async (req, reply) => reply.code(201).send(await createClassNode(req.ctx, req.body)),
  )

  app.patch(
    '/catalog/classes/:code',
    {
      config: { action: 'catalog.class.update' },
      schema: {
        tags,
        summary: '设置或更换分类节点的牵头部门',
        params: ClassCodeParams,
        body: UpdateClassBody,
        response: { 200: ClassNodeOut.omit({ children: true }) },
      },
    },
    (req) => setClassLead(req.ctx, req.params.code, req.body.leadOrgId),
  )

  app.get(
    '/catalog/resources',
    {
      config: { action: 'catalog.resource.search' },
      schema: { tags, summary: '检索目录', querystring: SearchQuery, response: { 200: SearchPage } },
    },
    (req) => searchCatalog(req.ctx, req.query),
  )

  app.post(
    '/catalog/resources',
    {
      config: { action: 'catalog.resource.create' },
      schema: { tags, summary: '编制目录（草稿）', body: CreateResourceBody, response: { 201: ResourceOut } },
    },
    async (req, reply) => reply.code(201).send(await createResource(req.ctx, req.body)),
  )

  app.get(
    '/catalog/resources/:id',
    {
      config: { action: 'catalog.resource.read' },
      schema: {
        tags,
        summary: '目录详情（可指定版本）',
        params: IdParams,
        querystring: z.object({ version: z.coerce.number().int().min(1).max(100_000).optional() }),
        response: { 200: ResourceOut },
      },
    },
    (req) => getResource(req.ctx, req.params.id, req.query.version),
  )

  app.patch(
    '/catalog/resources/:id',
    {
      config: { action: 'catalog.resource.update' },
      schema: { tags, summary: '修改目录（已发布的生成新版本草稿）', params: IdParams, body: UpdateResourceBody, response: { 200: ResourceOut } },
    },
    (req) => updateEntry(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/catalog/resources/:id/submit',
    {
      config: { action: 'catalog.resource.submit' },
      schema: {
        tags,
        summary: '提交审核',
        description: '草稿可以不完整地保存；提交时检查完整性：尚缺必填内容或须先挂接数据时返回 409 ENTRY_INCOMPLETE，details 逐项列出所缺内容。',
        params: IdParams,
        response: { 200: ResourceOut },
      },
    },
    (req) => submitResource(req.ctx, req.params.id),
  )

  app.post(
    '/catalog/resources/:id/review',
    {
      config: { action: 'catalog.resource.review' },
      schema: { tags, summary: '审核：发布或退回', params: IdParams, body: ReviewBody, response: { 200: ResourceOut } },
    },
    (req) => reviewResource(req.ctx, req.params.id, req.body.decision, req.body.comment),
  )

  app.post(
    '/catalog/resources/:id/withdraw',
    {
      config: { action: 'catalog.resource.withdraw' },
      schema: { tags, summary: '下架', params: IdParams, body: WithdrawBody, response: { 200: ResourceOut } },
    },
    (req) => withdrawResource(req.ctx, req.params.id, req.body.reason),
  )

  app.get(
    '/catalog/resources/:id/versions',
    {
      config: { action: 'catalog.resource.read' },
      schema: { tags, summary: '版本历史', params: IdParams, response: { 200: z.object({ items: z.array(VersionOut) }) } },
    },
    (req) => listResourceVersions(req.ctx, req.params.id),
  )

  app.post(
    '/catalog/change-events',
    {
      config: { action: 'catalog.change-event.create' },
      schema: {
        tags,
        summary: '登记法律法规修订/职能调整（生成 15 个工作日的目录更新任务）',
        body: ChangeEventBody,
        response: {
          201: z.object({ id: z.string(), orgId: z.string(), kind: z.string(), occurredAt: z.date(), dueDate: z.string(), dueAt: z.date(), tasks: z.number() }),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await recordChangeEvent(req.ctx, req.body)),
  )

  app.get(
    '/catalog/review-tasks',
    {
      config: { action: 'catalog.review-task.list' },
      schema: { tags, summary: '目录更新任务（overdue=true 查逾期）', querystring: ReviewTaskQuery, response: { 200: pageOf(ReviewTaskOut) } },
    },
    (req) => listReviewTasks(req.ctx, req.query),
  )

  app.post(
    '/catalog/review-tasks/:id/complete',
    {
      config: { action: 'catalog.review-task.complete' },
      schema: {
        tags,
        summary: '确认更新任务已处理',
        params: IdParams,
        body: CompleteTaskBody,
        response: { 200: z.object({ id: z.string(), status: z.literal('done'), resolution: z.string() }) },
      },
    },
    (req) => completeReviewTask(req.ctx, req.params.id, req.body.resolution),
  )
}
