import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../platform/http/params.ts'
import { closeNotice, issueNotices, listNotices, respondNotice } from './notices.ts'
import { sendReport } from './report.ts'
import { createRun, getEvidence, getScores, listRuns } from './runs.ts'
import {
  CloseBody,
  CreateRunBody,
  EvidencePage,
  EvidenceParams,
  EvidenceQuery,
  IndicatorOut,
  IndicatorParams,
  IndicatorSettingBody,
  NoticeListQuery,
  NoticeOut,
  RegionQuery,
  ReportQuery,
  RespondBody,
  RunIdParams,
  RunOut,
  ScoresOut,
} from './schemas.ts'
import { listIndicators, updateIndicatorSetting } from './settings.ts'

const tags = ['evaluation']

export const evaluationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/evaluation/indicators',
    {
      config: { action: 'evaluation.indicator.list' },
      schema: {
        tags,
        summary: '考核指标 M1–M12 及其权重、达标线（本市或某区县）',
        querystring: RegionQuery,
        response: { 200: z.object({ items: z.array(IndicatorOut) }) },
      },
    },
    (req) => listIndicators(req.ctx, req.query.regionCode),
  )

  app.put(
    '/evaluation/indicators/:indicatorId',
    {
      config: { action: 'evaluation.settings.update' },
      schema: {
        tags,
        summary: '设置指标权重与达标线',
        params: IndicatorParams,
        body: IndicatorSettingBody,
        response: { 200: z.object({ id: z.string(), regionCode: z.string().nullable(), weight: z.number(), threshold: z.number() }) },
      },
    },
    (req) => updateIndicatorSetting(req.ctx, req.params.indicatorId, req.body),
  )

  app.post(
    '/evaluation/runs',
    {
      config: { action: 'evaluation.run.create' },
      schema: { tags, summary: '运行一期考核（冻结快照）', body: CreateRunBody, response: { 201: RunOut } },
    },
    async (req, reply) => reply.code(201).send(await createRun(req.ctx, req.body)),
  )

  app.get(
    '/evaluation/runs',
    {
      config: { action: 'evaluation.run.list' },
      schema: { tags, summary: '考核期次', response: { 200: z.object({ items: z.array(RunOut) }) } },
    },
    (req) => listRuns(req.ctx),
  )

  app.get(
    '/evaluation/runs/:id/scores',
    {
      config: { action: 'evaluation.score.read' },
      schema: { tags, summary: '各部门得分与排名（按区县分别排名）', params: RunIdParams, querystring: RegionQuery, response: { 200: ScoresOut } },
    },
    (req) => getScores(req.ctx, req.params.id, req.query.regionCode),
  )

  app.get(
    '/evaluation/runs/:id/scores/:orgId/indicators/:indicatorId/evidence',
    {
      config: { action: 'evaluation.score.read' },
      schema: { tags, summary: '指标明细：计入该数字的每一条记录', params: EvidenceParams, querystring: EvidenceQuery, response: { 200: EvidencePage } },
    },
    (req) => getEvidence(req.ctx, req.params.id, req.params.orgId, req.params.indicatorId, req.query),
  )

  app.post(
    '/evaluation/runs/:id/notices',
    {
      config: { action: 'evaluation.notice.issue' },
      schema: { tags, summary: '对低于达标线的指标下发整改通知', params: RunIdParams, response: { 200: z.object({ items: z.array(NoticeOut) }) } },
    },
    (req) => issueNotices(req.ctx, req.params.id),
  )

  app.get(
    '/evaluation/runs/:id/report',
    {
      config: { action: 'evaluation.report.read' },
      schema: { tags, summary: '年度共享工作报告（Word 或 Excel）：部门的，或不填 orgId 为全市的', params: RunIdParams, querystring: ReportQuery },
    },
    (req, reply) => sendReport(req.ctx, reply, req.params.id, req.query),
  )

  app.get(
    '/notices',
    {
      config: { action: 'evaluation.notice.list' },
      schema: {
        tags,
        summary: '整改通知',
        querystring: NoticeListQuery,
        response: { 200: z.object({ items: z.array(NoticeOut), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
      },
    },
    (req) => listNotices(req.ctx, req.query),
  )

  app.post(
    '/notices/:id/respond',
    {
      config: { action: 'evaluation.notice.respond' },
      schema: { tags, summary: '部门反馈整改措施', params: IdParams, body: RespondBody, response: { 200: NoticeOut } },
    },
    (req) => respondNotice(req.ctx, req.params.id, req.body.measures),
  )

  app.post(
    '/notices/:id/close',
    {
      config: { action: 'evaluation.notice.close' },
      schema: { tags, summary: '主管部门办结或退回', params: IdParams, body: CloseBody, response: { 200: NoticeOut } },
    },
    (req) => closeNotice(req.ctx, req.params.id, req.body),
  )
}
