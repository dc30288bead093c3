import { Readable, Transform } from 'node:stream'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Actor } from '../../platform/auth/actor.ts'
import { makeCtx } from '../../platform/context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { FULL_LOAD_NEEDED, findActiveTableMount, loadFedTable } from '../mounts/index.ts'
import { findGrantView } from '../sharing/index.ts'
import { deliveryLines, deliveryPlan } from './delivery-rows.ts'
import { type NodeRow, authenticateNode, enrolNode, recordHeartbeat } from './nodes.ts'
import { DeletesBody, EnrolBody, FeedQuery, HeartbeatBody, ReportBody, RunParams, VerifyResultBody } from './schemas.ts'
import { closeRun, lockRun, planWork } from './work.ts'
import { routeDoc } from '../../platform/http/openapi.ts'

const tags = ['exchange-agent']
const agent = { action: 'exchange.agent.call', appAuth: true } as const
// What one feed may send (a table of a few million rows as CSV).
const FEED_MAX_BYTES = 4 * 1024 * 1024 * 1024

/**
 * The node agent's protocol (govshare-node): it always calls in, over HTTP(S); the platform never reaches into
 * a department. Authenticated by the node's own credential (Bearer gsn_…), issued once at enrolment.
 */
export const agentRoutes: FastifyPluginAsyncZod = async (app) => {
  // A feed's CSV is streamed into the table loader as it arrives, never buffered.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload))

  // Authenticated before the body is read or checked: without a valid node credential, nothing but 401.
  const nodes = new WeakMap<object, NodeRow>()
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return
    nodes.set(request, await authenticateNode(app.db, request.headers.authorization))
  })
  const nodeOf = async (request: object) => nodes.get(request)!

  // Public: the one-time token in the body is the credential (spent by its first use).
  app.post(
    '/exchange/agent/enrol',
    {
      config: { public: true },
      // A wrong, expired or spent token is refused with 401 ENROLMENT_REFUSED.
      schema: {
        tags,
        summary: '前置机以一次性注册码注册，换取节点凭据（注册码只能使用一次）',
        ...routeDoc({ errors: [401] }),
        body: EnrolBody,
        response: { 200: z.object({ nodeId: z.string(), credential: z.string() }) },
      },
    },
    (req) => enrolNode(app.db, app.clock(), req.ip, req.body),
  )

  app.post(
    '/exchange/agent/heartbeat',
    {
      config: agent,
      logLevel: 'warn',
      schema: {
        tags,
        summary: '心跳：报告连接名和问题，领取任务（working：仍在进行的运行）',
        body: HeartbeatBody.extend({ working: z.array(z.uuid()).max(100).default([]) }),
        response: { 200: z.object({ tasks: z.array(z.record(z.string(), z.unknown())), heartbeatSeconds: z.number() }) },
      },
    },
    async (req) => {
      const node = await nodeOf(req)
      const now = app.clock()
      await recordHeartbeat(app.db, node, now, req.body)
      const tasks = await planWork(app.db, app.config, node, now, req.body.working)
      return { tasks, heartbeatSeconds: node.heartbeatSeconds }
    },
  )

  app.post(
    '/exchange/agent/runs/:id/verify',
    {
      config: agent,
      schema: {
        tags,
        summary: '报告挂接校验结果（抽样、类型检查）',
        params: RunParams,
        body: VerifyResultBody,
        response: { 200: z.object({ status: z.string() }) },
      },
    },
    async (req) => {
      const node = await nodeOf(req)
      const now = app.clock()
      return app.db.transaction().execute(async (trx) => {
        const { run, job } = await lockRun(trx, node, req.params.id)
        if (run.kind !== 'verify') throw new AppError(409, 'INVALID_STATE', '该运行不是校验')
        const ok = req.body.problems.length === 0
        const reason = ok
          ? null
          : req.body.problems
              .map((p) => `${p.column}：${p.message}`)
              .join('；')
              .slice(0, 500)
        const jobPatch = ok ? { status: 'active' as const, fullRequested: true, statusReason: null } : { status: 'draft' as const, statusReason: reason }
        await closeRun(trx, node, job, run, now, { ok: true, rowsRead: req.body.sampled }, { jobPatch })
        return { status: jobPatch.status }
      })
    },
  )

  app.post(
    '/exchange/agent/runs/:id/deletes',
    {
      config: agent,
      bodyLimit: 256 * 1024 * 1024,
      schema: { tags, summary: '增量挂接：上报源表中已删除的主键', params: RunParams, body: DeletesBody, response: { 200: z.object({ keys: z.number() }) } },
    },
    async (req) => {
      const node = await nodeOf(req)
      return app.db.transaction().execute(async (trx) => {
        const { run, job } = await lockRun(trx, node, req.params.id)
        if (job.kind !== 'feed' || run.kind !== 'incremental' || !job.carryDeletes) throw new AppError(409, 'INVALID_STATE', '该运行不接收删除记录')
        await trx
          .updateTable('exchangeRuns')
          .set({ deletedKeys: JSON.stringify(req.body.keys) })
          .where('id', '=', run.id)
          .execute()
        return { keys: req.body.keys.length }
      })
    },
  )

  app.post(
    '/exchange/agent/runs/:id/feed',
    {
      config: agent,
      schema: {
        tags,
        summary: '挂接数据：CSV（表头为信息项英文名），作为一个批次原子替换',
        params: RunParams,
        querystring: FeedQuery,
        response: { 200: z.object({ batchId: z.string(), rows: z.number() }) },
      },
    },
    async (req) => {
      const node = await nodeOf(req)
      const started = await app.db.transaction().execute((trx) => lockRun(trx, node, req.params.id))
      const { run, job } = started
      if (job.kind !== 'feed' || (run.kind !== 'full' && run.kind !== 'incremental') || (run.kind === 'full' && req.query.mode !== 'full'))
        throw new AppError(409, 'INVALID_STATE', '该运行不接收挂接数据')
      // The node may always load in full (it lost the keys it needs to tell deletes): the run is then a full one.
      if (run.kind === 'incremental' && req.query.mode === 'full') {
        await app.db.updateTable('exchangeRuns').set({ kind: 'full', deletedKeys: '[]' }).where('id', '=', run.id).execute()
        run.kind = 'full'
        run.deletedKeys = []
      }
      let bytes = 0
      const counted = (req.body as Readable).pipe(
        new Transform({
          transform(chunk: Buffer, _enc, callback) {
            bytes += chunk.length
            callback(bytes > FEED_MAX_BYTES ? new AppError(413, 'PAYLOAD_TOO_LARGE', '单次挂接数据过大') : null, chunk)
          },
        }),
      )
      // The feed loads on behalf of the user who set it up, within the provider's own entry (checked again here).
      const actor: Actor = {
        userId: job.createdBy,
        username: `node:${node.name}`,
        name: node.name,
        orgId: node.orgId,
        orgName: '',
        orgKind: 'department',
        roles: ['NODE_OPERATOR'],
        sessionId: '',
      }
      const ctx = { ...makeCtx({ db: app.db, actor, config: app.config, now: app.clock }), ip: req.ip, requestId: req.id }
      const env = { dbKind: app.dbKind, pgPool: app.pgPool }
      const feed = { source: { nodeId: node.id, runId: run.id }, ...(run.kind === 'incremental' ? { incremental: { deletedKeys: run.deletedKeys } } : {}) }
      const now = () => app.clock()
      try {
        const loaded = await loadFedTable(ctx, env, job.resourceId, counted, `${job.tableName}.csv`, FEED_MAX_BYTES, feed)
        await app.db.transaction().execute(async (trx) => {
          const locked = await lockRun(trx, node, run.id)
          await trx
            .updateTable('exchangeRuns')
            .set({ batchId: loaded.batchId, baseLine: loaded.baseMaxLine === undefined ? null : String(loaded.baseMaxLine) })
            .where('id', '=', run.id)
            .execute()
          await closeRun(
            trx,
            node,
            locked.job,
            { ...locked.run, batchId: loaded.batchId },
            now(),
            {
              ok: true,
              rowsRead: req.query.rowsRead ?? loaded.rows + loaded.rejectedTotal,
              rowsWritten: loaded.rows,
              rowsDeleted: run.deletedKeys.length,
              rowsFailed: loaded.rejectedTotal,
              bytes,
            },
            { jobPatch: { watermark: req.query.watermark ?? locked.job.watermark } },
          )
        })
        return { batchId: loaded.batchId, rows: loaded.rows }
      } catch (error) {
        req.raw.resume()
        const message = error instanceof AppError ? error.message : '挂接数据导入失败'
        await app.db.transaction().execute(async (trx) => {
          const locked = await lockRun(trx, node, run.id).catch(() => null)
          if (!locked) return
          const fullNext = error instanceof AppError && error.code === FULL_LOAD_NEEDED ? { fullRequested: true } : {}
          await closeRun(trx, node, locked.job, locked.run, now(), { ok: false, error: message, bytes }, { jobPatch: fullNext })
        })
        throw error
      }
    },
  )

  app.get(
    '/exchange/agent/runs/:id/deletes',
    {
      config: agent,
      schema: { tags, summary: '交付：本次应从目标表删除的行（_gs_key）', params: RunParams, response: { 200: z.object({ keys: z.array(z.string()) }) } },
    },
    async (req) => {
      const node = await nodeOf(req)
      const { run } = await app.db.transaction().execute((trx) => lockRun(trx, node, req.params.id))
      return { keys: run.deletedKeys }
    },
  )

  app.get(
    '/exchange/agent/runs/:id/rows',
    {
      config: agent,
      schema: { tags, summary: '交付：按授权过滤、脱敏后的数据行（COPY 文本格式：_gs_key、是否仍符合过滤条件、各列）', params: RunParams },
    },
    async (req, reply) => {
      const node = await nodeOf(req)
      const { run, job } = await app.db.transaction().execute((trx) => lockRun(trx, node, req.params.id))
      if (job.kind !== 'delivery' || (run.kind !== 'full' && run.kind !== 'incremental')) throw new AppError(409, 'INVALID_STATE', '该运行不是交付')
      // The grant is checked again at the moment data leaves: a revocation since the task was handed out stops it.
      const grant = await findGrantView(app.db, job.grantId!)
      if (!grant || grant.status !== 'active') throw new AppError(403, 'GRANT_INACTIVE', '授权已失效，停止交付')
      const entry = await findPublishedEntry(app.db, job.resourceId)
      const mount = await findActiveTableMount(app.db, job.resourceId)
      if (!entry || !mount) throw new AppError(409, 'NOT_MOUNTED', '提供方尚未挂接数据')
      if (mount.batchId !== run.batchId) throw new AppError(409, 'BATCH_CHANGED', '提供方数据已更新，请领取新任务')
      const plan = deliveryPlan(grant, entry.items, app.config.dataKey)
      if ('refused' in plan || plan.signature !== run.detail.signature) throw new AppError(409, 'GRANT_CHANGED', '授权内容已变化，请领取新任务')
      reply.header('content-type', 'text/plain; charset=utf-8')
      return reply.send(Readable.from(deliveryLines(app.db, app.pgPool, app.config.dataKey, grant, entry.items, mount, plan, Number(run.baseLine ?? 0))))
    },
  )

  app.post(
    '/exchange/agent/runs/:id/report',
    {
      config: agent,
      schema: {
        tags,
        summary: '报告运行结果（读、写、删、失败行数，字节数，错误）',
        params: RunParams,
        body: ReportBody,
        response: { 200: z.object({ status: z.string() }) },
      },
    },
    async (req) => {
      const node = await nodeOf(req)
      const now = app.clock()
      return app.db.transaction().execute(async (trx) => {
        const { run, job } = await lockRun(trx, node, req.params.id)
        if (run.kind === 'verify' || (job.kind === 'feed' && req.body.ok)) throw new AppError(409, 'INVALID_STATE', '该运行的结果由数据上报完成')
        const jobPatch = run.kind !== 'purge' ? {} : req.body.ok ? {} : { status: 'purging' as const }
        await closeRun(trx, node, job, run, now, req.body, { jobPatch })
        return { status: req.body.ok ? 'succeeded' : 'failed' }
      })
    },
  )
}
