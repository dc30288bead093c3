import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { bearerToken } from '../../platform/auth/bearer.ts'
import { businessRefOf } from '../../platform/http/client-refs.ts'
import { parameterNote } from '../../platform/config/parameters.ts'
import { routeDoc } from '../../platform/http/openapi.ts'
import { pageOf } from '../../platform/http/pagination.ts'
import type { ResolveHost } from '../../platform/outbound/guarded-request.ts'
import { IdParams } from '../../platform/http/params.ts'
import { clearAppFlag, listAppFlags } from './app-flags.ts'
import { createApp, createTokenThrottle, disableApp, issueAccessToken, listApps, rotateSecret } from './apps.ts'
import { grantOpenApi } from './grant-openapi.ts'
import { exportCalls, listCalls } from './calls.ts'
import { sendXlsx, xlsxResponse } from '../../platform/http/spreadsheet.ts'
import { readRecords } from './records.ts'
import { readReviewSample, readSample } from './sample.ts'
import { GatewayRuntime } from './runtime.ts'
import {
  AppCreatedOut,
  AppFlagListQuery,
  AppFlagOut,
  AppOut,
  CallExportQuery,
  CallListQuery,
  CallOut,
  ClearAppFlagBody,
  CreateAppBody,
  RecordsOut,
  RecordsParams,
  RecordsQuery,
  SampleOut,
  TokenBody,
  TokenOut,
} from './schemas.ts'

const tags = ['gateway']
const sentQueries = new WeakMap<FastifyRequest, Record<string, string>>()

export const gatewayRoutes: FastifyPluginAsyncZod<{ resolveHost?: ResolveHost }> = async (app, options) => {
  // One per server instance: caches, batched rate counters and the group-committed call journal.
  const runtime = new GatewayRuntime(app.db, app.config, options.resolveHost)
  app.addHook('onClose', () => runtime.close())
  const tokenThrottle = createTokenThrottle(app.db)
  const tokenLimits = { perIp: app.config.tokenFailuresPerIp, perApp: app.config.tokenFailuresPerApp }

  app.post(
    '/apps',
    {
      config: { action: 'gateway.app.create' },
      schema: { tags, summary: '创建调用应用（返回的密钥只显示一次）', body: CreateAppBody, response: { 201: AppCreatedOut } },
    },
    async (req, reply) => reply.code(201).send(await createApp(req.ctx, req.body)),
  )

  app.get(
    '/apps',
    {
      config: { action: 'gateway.app.list' },
      schema: { tags, summary: '本单位的应用（不含密钥）', response: { 200: z.object({ items: z.array(AppOut) }) } },
    },
    (req) => listApps(req.ctx),
  )

  app.post(
    '/apps/:id/disable',
    {
      config: { action: 'gateway.app.update' },
      schema: { tags, summary: '停用应用（其访问令牌立即失效）', params: IdParams, response: { 200: AppOut } },
    },
    (req) => disableApp(req.ctx, req.params.id),
  )

  app.post(
    '/apps/:id/rotate-secret',
    {
      config: { action: 'gateway.app.update' },
      schema: { tags, summary: '重置应用密钥（新密钥只显示一次）', params: IdParams, response: { 200: AppCreatedOut } },
    },
    (req) => rotateSecret(req.ctx, req.params.id),
  )

  app.post(
    '/gateway/token',
    {
      config: { public: true },
      schema: {
        tags,
        summary: '以应用标识和密钥换取访问令牌',
        description: `访问令牌的有效期${parameterNote('gateway.accessTokenSeconds')}。`,
        security: [],
        body: TokenBody,
        response: { 200: TokenOut },
        ...routeDoc({ errors: [429] }),
      },
    },
    (req) => {
      const env = {
        db: app.db,
        dataKey: app.config.dataKey,
        now: app.clock(),
        ip: req.ip,
        requestId: req.id,
        throttle: tokenThrottle,
        limits: tokenLimits,
        denials: app.auditDenials,
      }
      return issueAccessToken(env, req.body.appKey, req.body.appSecret)
    },
  )

  app.get(
    '/gateway/resources/:resourceId/records',
    {
      config: { action: 'gateway.records.read', appAuth: true },
      // The sealed call log is this route's access record (times, caller, grant, result, request id). The two
      // info lines per call repeated it and cost ~15 % of the gateway's CPU under load (bench/README.md);
      // warnings and errors are still logged.
      logLevel: 'warn',
      // A call the schema refuses still reaches the handler, so it is written to the call log like every
      // other refused call (API.md: every call, allowed or denied), then answered with the schema's error.
      attachValidation: true,
      // The call log's digest is of the parameters as sent, before the schema adds defaults.
      preValidation: async (req) => {
        sentQueries.set(req, req.query as Record<string, string>)
      },
      schema: {
        tags,
        summary: '按授权读取数据记录（应用访问令牌；?英文名=值 精确查询，limit/offset 分页）',
        description:
          '以 Authorization: Bearer <应用访问令牌> 调用（用户登录令牌得到 401 WRONG_TOKEN_KIND）。只返回授权的信息项，按授权脱敏，授权的行过滤之外的记录不出现。' +
          `调用频率与每日限额按授权；审批未另定时，每分钟${parameterNote('gateway.defaultRateLimitPerMinute')}，每日${parameterNote('gateway.defaultDailyQuota')}。` +
          '每次调用（无论成功或被拒）都记入调用记录和审计链。',
        params: RecordsParams,
        querystring: RecordsQuery,
        response: { 200: RecordsOut },
        ...routeDoc({
          freeQuery: {
            name: 'lookup',
            description:
              '按信息项精确查询：参数名为已授权信息项的英文名（nameEn），值为完整取值，如 ?id_no=370702199003071234；多个条件同时满足。脱敏的信息项只有授权列为查询键（lookupKeys）时才能查询',
          },
          errors: [409, 429, 502, 503, 504],
        }),
      },
    },
    (req) => {
      return readRecords({
        db: app.db,
        runtime,
        networkZone: app.config.networkZone,
        dataKey: app.config.dataKey,
        now: app.clock,
        sessionIdleMinutes: app.config.sessionIdleMinutes,
        token: bearerToken(req.headers.authorization),
        ip: req.ip,
        requestId: req.id,
        resourceId: req.params.resourceId,
        query: sentQueries.get(req) ?? {},
        rejected: req.validationError ?? null,
        businessRef: businessRefOf(req.headers['x-business-ref'], req.query.businessRef),
        requestBytes: Number(req.headers['content-length'] ?? 0) + req.url.length,
        log: req.log,
      })
    },
  )

  app.get(
    '/grants/:id/openapi.json',
    {
      config: { action: 'gateway.grant.openapi.read' },
      schema: {
        tags,
        summary: '按授权生成的接口文档（OpenAPI 3：本授权可读的信息项、查询键、脱敏规则与调用限额）',
        params: IdParams,
        response: { 200: z.record(z.string(), z.unknown()).describe('OpenAPI 3.0 文档') },
      },
    },
    (req) => grantOpenApi(req.ctx, req.params.id),
  )

  app.get(
    '/catalog/resources/:id/sample',
    {
      config: { action: 'gateway.sample.read' },
      schema: { tags, summary: '无条件共享目录的样例数据（前 5 行，按默认规则脱敏）', params: IdParams, response: { 200: SampleOut } },
    },
    (req) => readSample(req.ctx, req.params.id),
  )

  app.get(
    '/catalog/resources/:id/review-sample',
    {
      config: { action: 'gateway.review-sample.read' },
      schema: {
        tags,
        summary: '审核用样例数据：待审核目录所挂接数据的前 5 行（主管部门；按默认规则脱敏，不予共享的信息项不显示）',
        params: IdParams,
        response: { 200: SampleOut.extend({ version: z.number().int().describe('所示信息项所属的待审核版本') }) },
        ...routeDoc({ errors: [409] }),
      },
    },
    (req) => readReviewSample(req.ctx, req.params.id),
  )

  app.get(
    '/gateway/calls',
    {
      config: { action: 'gateway.call.list' },
      schema: {
        tags,
        summary: '调用记录：mine 本单位调用 / provided 本单位数据被调用 / all 全部',
        querystring: CallListQuery,
        response: { 200: pageOf(CallOut) },
      },
    },
    (req) => listCalls(req.ctx, req.query),
  )

  app.get(
    '/gateway/calls/export',
    {
      config: { action: 'gateway.call.export' },
      schema: {
        tags,
        summary: '导出调用台账（XLSX，流式输出）',
        description: '范围与筛选条件同「调用记录」（不分页），按时间先后；导出操作本身记入审计日志。',
        querystring: CallExportQuery,
        response: { 200: xlsxResponse('调用台账') },
      },
    },
    async (req, reply) => sendXlsx(reply as FastifyReply, await exportCalls(req.ctx, req.query), { zh: '调用台账', ascii: 'gateway-calls' }, req.ctx.now()),
  )

  app.get(
    '/gateway/app-flags',
    {
      config: { action: 'gateway.flag.list' },
      schema: {
        tags,
        summary: '被标记的异常调用应用（短时间内大量查询未命中）：open 待核查 / cleared 已处理 / all',
        querystring: AppFlagListQuery,
        response: { 200: pageOf(AppFlagOut) },
      },
    },
    (req) => listAppFlags(req.ctx, req.query),
  )

  app.post(
    '/gateway/app-flags/:id/clear',
    {
      config: { action: 'gateway.flag.clear' },
      schema: { tags, summary: '核查后关闭异常调用标记（须说明处理情况）', params: IdParams, body: ClearAppFlagBody, response: { 200: AppFlagOut } },
    },
    (req) => clearAppFlag(req.ctx, req.params.id, req.body.note),
  )
}
