import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../platform/http/params.ts'
import { createNode, listNodes, nodeStatus, reissueEnrolment } from './nodes.ts'
import { createDelivery, createFeed, listJobs, listRuns, requestRun, stopJob } from './setup.ts'
import { DeliveryBody, FeedBody, JobOut, JobsQuery, CreateNodeBody, NodeCreatedOut, NodeOut, RunNowBody, RunOut, RunsQuery, StopBody } from './schemas.ts'

const tags = ['exchange']

/** The console's side of the exchange: nodes and their enrolment, feeds, deliveries, runs. */
export const exchangeRoutes: FastifyPluginAsyncZod = async (app) => {
  const present = <T extends Parameters<typeof nodeStatus>[0]>(node: T) => ({ ...node, status: nodeStatus(node, app.clock()) })

  app.get('/exchange/nodes', {
    config: { action: 'exchange.node.read' },
    schema: { tags, summary: '前置机及其状态（在线、异常、离线、待注册）', response: { 200: z.object({ items: z.array(NodeOut) }) } },
  }, async (req) => ({ items: (await listNodes(req.ctx)).map(present) }))

  app.post('/exchange/nodes', {
    config: { action: 'exchange.node.create' },
    schema: { tags, summary: '登记前置机，返回一次性注册码（24 小时内有效，只显示一次）', body: CreateNodeBody, response: { 201: NodeCreatedOut } },
  }, async (req, reply) => {
    const { node, enrolmentToken } = await createNode(req.ctx, req.body)
    return reply.code(201).send({ ...present(node), orgName: req.ctx.actor.orgName, enrolmentToken })
  })

  app.post('/exchange/nodes/:id/enrolment', {
    config: { action: 'exchange.node.update' },
    schema: { tags, summary: '重新签发注册码（原节点凭据立即失效）', params: IdParams, response: { 200: NodeCreatedOut } },
  }, async (req) => {
    const { node, enrolmentToken } = await reissueEnrolment(req.ctx, req.params.id)
    return { ...present(node), orgName: req.ctx.actor.orgName, enrolmentToken }
  })

  app.get('/exchange/jobs', {
    config: { action: 'exchange.node.read' },
    schema: { tags, summary: '交换任务（挂接与交付）', querystring: JobsQuery, response: { 200: z.object({ items: z.array(JobOut) }) } },
  }, async (req) => ({ items: await listJobs(req.ctx, req.query) }))

  app.post('/exchange/feeds', {
    config: { action: 'exchange.feed.create' },
    schema: { tags, summary: '通过前置机挂接库表（先校验，通过后全量导入，再按更新周期增量）', body: FeedBody, response: { 201: z.object({ id: z.string(), status: z.string() }) } },
  }, async (req, reply) => reply.code(201).send(await createFeed(req.ctx, req.body)))

  app.post('/exchange/deliveries', {
    config: { action: 'exchange.delivery.create' },
    schema: { tags, summary: '为库表授权建立交付任务（脱敏、过滤后写入本单位前置机）', body: DeliveryBody, response: { 201: z.object({ id: z.string(), status: z.string() }) } },
  }, async (req, reply) => reply.code(201).send(await createDelivery(req.ctx, req.body)))

  app.post('/exchange/jobs/:id/run', {
    config: { action: 'exchange.job.update' },
    schema: { tags, summary: '立即运行（full：全量重做）', params: IdParams, body: RunNowBody, response: { 204: z.null() } },
  }, async (req, reply) => {
    await requestRun(req.ctx, req.params.id, req.body.full)
    return reply.code(204).send(null)
  })

  app.post('/exchange/jobs/:id/stop', {
    config: { action: 'exchange.job.update' },
    schema: { tags, summary: '停止任务（交付任务同时要求前置机清除目标表）', params: IdParams, body: StopBody, response: { 204: z.null() } },
  }, async (req, reply) => {
    await stopJob(req.ctx, req.params.id, req.body.reason)
    return reply.code(204).send(null)
  })

  app.get('/exchange/jobs/:id/runs', {
    config: { action: 'exchange.node.read' },
    schema: { tags, summary: '任务的运行记录（读、写、删、失败行数，字节，耗时，错误）', params: IdParams, querystring: RunsQuery, response: { 200: z.object({ items: z.array(RunOut) }) } },
  }, async (req) => ({ items: await listRuns(req.ctx, req.params.id, req.query.limit) }))
}
