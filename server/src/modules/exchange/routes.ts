import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../platform/http/params.ts'
import { can } from '../../platform/auth/policy.ts'
import { pageOf } from '../../platform/http/pagination.ts'
import { type NodeRow, createNode, listNodes, nodeStatus, reissueEnrolment, revokeNode } from './nodes.ts'
import { createDelivery, createFeed, listJobs, listRecentRuns, listRuns, requestRun, setJobPaused, stopJob, updateJobControls } from './setup.ts'
import {
  CreateNodeBody,
  DeliveryBody,
  FeedBody,
  JobControlsBody,
  JobOut,
  JobsQuery,
  NodeCreatedOut,
  NodeOut,
  NodesQuery,
  RecentRunOut,
  RecentRunsQuery,
  RunNowBody,
  RunOut,
  RunsQuery,
  StopBody,
} from './schemas.ts'

const tags = ['exchange']

/** The console's side of the exchange: nodes and their enrolment, feeds, deliveries, runs. */
export const exchangeRoutes: FastifyPluginAsyncZod = async (app) => {
  const present = <T extends NodeRow>(actor: Parameters<typeof can>[0], node: T) => ({
    ...node,
    status: nodeStatus(node, app.clock()),
    actions: { manage: !node.revokedAt && can(actor, 'exchange.node.update', node) },
  })

  app.get(
    '/exchange/nodes',
    {
      config: { action: 'exchange.node.read' },
      schema: {
        tags,
        summary: '前置机及其状态（在线、降级、离线、待注册、已注销）；主管部门可按单位、状态筛选',
        querystring: NodesQuery,
        response: { 200: z.object({ items: z.array(NodeOut) }) },
      },
    },
    async (req) => {
      const nodes = (await listNodes(req.ctx, req.query)).map((node) => present(req.ctx.actor, node))
      return { items: req.query.status ? nodes.filter((node) => node.status === req.query.status) : nodes }
    },
  )

  app.post(
    '/exchange/nodes',
    {
      config: { action: 'exchange.node.create' },
      schema: { tags, summary: '登记前置机，返回一次性注册码（24 小时内有效，只显示一次）', body: CreateNodeBody, response: { 201: NodeCreatedOut } },
    },
    async (req, reply) => {
      const { node, enrolmentToken } = await createNode(req.ctx, req.body)
      return reply.code(201).send({ ...present(req.ctx.actor, node), orgName: req.ctx.actor.orgName, enrolmentToken })
    },
  )

  app.post(
    '/exchange/nodes/:id/enrolment',
    {
      config: { action: 'exchange.node.update' },
      schema: { tags, summary: '重新签发注册码（原节点凭据立即失效）', params: IdParams, response: { 200: NodeCreatedOut } },
    },
    async (req) => {
      const { node, enrolmentToken } = await reissueEnrolment(req.ctx, req.params.id)
      return { ...present(req.ctx.actor, node), orgName: req.ctx.actor.orgName, enrolmentToken }
    },
  )

  app.post(
    '/exchange/nodes/:id/revoke',
    {
      config: { action: 'exchange.node.revoke' },
      schema: { tags, summary: '注销前置机（凭据和注册码立即失效；须先停止其上的交换任务）', params: IdParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await revokeNode(req.ctx, req.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/exchange/jobs',
    {
      config: { action: 'exchange.node.read' },
      schema: { tags, summary: '交换任务（挂接与交付）', querystring: JobsQuery, response: { 200: z.object({ items: z.array(JobOut) }) } },
    },
    async (req) => ({ items: await listJobs(req.ctx, req.query) }),
  )

  app.post(
    '/exchange/feeds',
    {
      config: { action: 'exchange.feed.create' },
      schema: {
        tags,
        summary: '通过前置机挂接库表（先校验，通过后全量导入，再按更新周期增量）',
        body: FeedBody,
        response: { 201: z.object({ id: z.string(), status: z.string() }) },
      },
    },
    async (req, reply) => reply.code(201).send(await createFeed(req.ctx, req.body)),
  )

  app.post(
    '/exchange/deliveries',
    {
      config: { action: 'exchange.delivery.create' },
      schema: {
        tags,
        summary: '为库表授权建立交付任务（脱敏、过滤后写入本单位前置机）',
        body: DeliveryBody,
        response: { 201: z.object({ id: z.string(), status: z.string() }) },
      },
    },
    async (req, reply) => reply.code(201).send(await createDelivery(req.ctx, req.body)),
  )

  app.post(
    '/exchange/jobs/:id/run',
    {
      config: { action: 'exchange.job.update' },
      schema: { tags, summary: '立即运行（full：全量重做）', params: IdParams, body: RunNowBody, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await requestRun(req.ctx, req.params.id, req.body.full)
      return reply.code(204).send(null)
    },
  )

  app.patch(
    '/exchange/jobs/:id',
    {
      config: { action: 'exchange.job.update' },
      schema: {
        tags,
        summary: '调整任务参数（并行通道、限速、错误上限；交付任务的写入方式），下次运行起生效',
        params: IdParams,
        body: JobControlsBody,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await updateJobControls(req.ctx, req.params.id, req.body)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/exchange/jobs/:id/pause',
    {
      config: { action: 'exchange.job.update' },
      schema: { tags, summary: '暂停任务（不再发起运行，不清除已交付的数据）', params: IdParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await setJobPaused(req.ctx, req.params.id, true)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/exchange/jobs/:id/resume',
    {
      config: { action: 'exchange.job.update' },
      schema: { tags, summary: '恢复已暂停的任务', params: IdParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await setJobPaused(req.ctx, req.params.id, false)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/exchange/runs',
    {
      config: { action: 'exchange.node.read' },
      schema: {
        tags,
        summary: '运行记录（本单位的；主管部门看全部），含行数、字节、耗时、错误和清除情况',
        querystring: RecentRunsQuery,
        response: { 200: pageOf(RecentRunOut) },
      },
    },
    async (req) => listRecentRuns(req.ctx, req.query),
  )

  app.post(
    '/exchange/jobs/:id/stop',
    {
      config: { action: 'exchange.job.update' },
      schema: { tags, summary: '停止任务（交付任务同时要求前置机清除目标表）', params: IdParams, body: StopBody, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await stopJob(req.ctx, req.params.id, req.body.reason)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/exchange/jobs/:id/runs',
    {
      config: { action: 'exchange.node.read' },
      schema: {
        tags,
        summary: '任务的运行记录（读、写、删、失败行数，字节，耗时，错误）',
        params: IdParams,
        querystring: RunsQuery,
        response: { 200: z.object({ items: z.array(RunOut) }) },
      },
    },
    async (req) => ({ items: await listRuns(req.ctx, req.params.id, req.query.limit) }),
  )
}
