import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { parameterNote } from '../../platform/config/parameters.ts'
import { sendXlsx, xlsxResponse } from '../../platform/http/spreadsheet.ts'
import { exportGrants, exportShareRequests } from './ledger.ts'
import { z } from 'zod'
import { PageQuery, pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { maskValue } from '../../platform/masking/masking.ts'
import { addCaseNote, closeCase, decideCase, escalateCase, escalateCaseUp, getCase, listCases, openCase } from './coordination.ts'
import { getGrant, listGrantsFor, listUsage, reconfirmGrant, resumeGrant, revokeGrant, suspendGrant } from './grants.ts'
import {
  authorityDecide,
  reviewCompliance,
  createShareRequest,
  decideShareRequest,
  getShareRequest,
  previewDecision,
  listShareRequests,
  requestMoreInfo,
  resubmitShareRequest,
  withdrawShareRequest,
} from './requests.ts'
import {
  AuthorityDecisionBody,
  ComplianceReviewBody,
  CaseDecisionBody,
  CaseListQuery,
  CaseNoteBody,
  CaseOut,
  CommentBody,
  CreateCaseBody,
  CreateRequestBody,
  DecisionBody,
  DecisionPreviewBody,
  DecisionPreviewOut,
  GrantListQuery,
  GrantOut,
  MaskingPreviewBody,
  ReasonBody,
  ReconfirmBody,
  RequestListQuery,
  ResubmitBody,
  ShareRequestOut,
  UsageOut,
  GrantExportQuery,
  RequestExportQuery,
} from './schemas.ts'

const tags = ['sharing']

export const sharingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/share-requests',
    {
      config: { action: 'sharing.request.create' },
      schema: { tags, summary: '提交共享申请（无条件共享立即授权）', body: CreateRequestBody, response: { 201: ShareRequestOut } },
    },
    async (req, reply) => reply.code(201).send(await createShareRequest(req.ctx, req.body)),
  )

  app.get(
    '/share-requests/export',
    {
      config: { action: 'sharing.request.export' },
      schema: {
        tags,
        summary: '导出申请台账（XLSX，流式输出）',
        description: '范围与筛选条件同「申请列表」（不分页），按提交时间先后；导出操作本身记入审计日志。',
        querystring: RequestExportQuery,
        response: { 200: xlsxResponse('申请台账') },
      },
    },
    async (req, reply) =>
      sendXlsx(reply as FastifyReply, await exportShareRequests(req.ctx, req.query), { zh: '申请台账', ascii: 'share-requests' }, req.ctx.now()),
  )

  app.get(
    '/share-requests',
    {
      config: { action: 'sharing.request.list' },
      schema: {
        tags,
        summary: '申请列表：mine 我的申请 / incoming 待我审批 / all 全部',
        querystring: RequestListQuery,
        response: { 200: pageOf(ShareRequestOut) },
      },
    },
    (req) => listShareRequests(req.ctx, req.query),
  )

  app.get(
    '/share-requests/:id',
    {
      config: { action: 'sharing.request.read' },
      schema: { tags, summary: '申请详情（含办理时间线）', params: IdParams, response: { 200: ShareRequestOut } },
    },
    (req) => getShareRequest(req.ctx, req.params.id),
  )

  app.post(
    '/share-requests/:id/decision',
    {
      config: { action: 'sharing.request.decide' },
      schema: {
        tags,
        summary: '提供方审批：同意（可收窄、脱敏、行过滤、缩短有效期）或拒绝（须说明理由）',
        params: IdParams,
        body: DecisionBody,
        response: { 200: ShareRequestOut },
      },
    },
    (req) => decideShareRequest(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/share-requests/:id/decision-preview',
    {
      config: { action: 'sharing.request.preview-terms' },
      schema: {
        tags,
        summary: '审批前预览：实际脱敏规则与再识别风险提示（不作任何改动）',
        params: IdParams,
        body: DecisionPreviewBody,
        response: { 200: DecisionPreviewOut },
      },
    },
    (req) => previewDecision(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/share-requests/:id/request-info',
    {
      config: { action: 'sharing.request.request-info' },
      schema: { tags, summary: '要求补正（暂停计时，仅一次）', params: IdParams, body: CommentBody, response: { 200: ShareRequestOut } },
    },
    (req) => requestMoreInfo(req.ctx, req.params.id, req.body.comment),
  )

  app.post(
    '/share-requests/:id/resubmit',
    {
      config: { action: 'sharing.request.resubmit' },
      schema: {
        tags,
        summary: '补正后重新提交（恢复计时），或被退回修改后重新提交合规审查',
        params: IdParams,
        body: ResubmitBody,
        response: { 200: ShareRequestOut },
      },
    },
    (req) => resubmitShareRequest(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/share-requests/:id/withdraw',
    {
      config: { action: 'sharing.request.withdraw' },
      schema: {
        tags,
        summary: '撤回申请（决定之前）',
        params: IdParams,
        body: z
          .object({ reason: z.string().trim().max(2000).optional() })
          .nullish()
          .describe('可不带请求体'),
        response: { 200: ShareRequestOut },
      },
    },
    (req) => withdrawShareRequest(req.ctx, req.params.id, req.body?.reason || '申请人撤回'),
  )

  app.post(
    '/share-requests/:id/compliance-review',
    {
      config: { action: 'sharing.request.compliance-review' },
      schema: {
        tags,
        summary: '主管部门合规审查：通过（交提供部门答复）或退回修改',
        description: `开启合规审查（${parameterNote('sharing.complianceReview')}）时，有条件共享申请先处于 compliance_review。通过后提供部门自通过时起计答复时限：数据已挂接的适用 sharing.mountedReplyWorkdays，未挂接的适用 sharing.providerReplyWorkdays；退回修改（须填写意见）后申请人可修改并重新提交。`,
        params: IdParams,
        body: ComplianceReviewBody,
        response: { 200: ShareRequestOut },
      },
    },
    (req) => reviewCompliance(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/share-requests/:id/authority-decision',
    {
      config: { action: 'sharing.request.authority-decide' },
      schema: { tags, summary: '主管部门督办：直接授权或延期一次', params: IdParams, body: AuthorityDecisionBody, response: { 200: ShareRequestOut } },
    },
    (req) => authorityDecide(req.ctx, req.params.id, req.body),
  )

  app.get(
    '/grants/export',
    {
      config: { action: 'sharing.grant.export' },
      schema: {
        tags,
        summary: '导出授权台账（XLSX，流式输出）',
        description: '范围与筛选条件同「授权列表」（不分页），按授权时间先后；导出操作本身记入审计日志。',
        querystring: GrantExportQuery,
        response: { 200: xlsxResponse('授权台账') },
      },
    },
    async (req, reply) => sendXlsx(reply as FastifyReply, await exportGrants(req.ctx, req.query), { zh: '授权台账', ascii: 'grants' }, req.ctx.now()),
  )

  app.get(
    '/grants',
    {
      config: { action: 'sharing.grant.list' },
      schema: { tags, summary: '授权列表：mine 本单位获得 / provided 本单位提供 / all 全部', querystring: GrantListQuery, response: { 200: pageOf(GrantOut) } },
    },
    (req) => listGrantsFor(req.ctx, req.query),
  )

  app.get(
    '/grants/:id',
    {
      config: { action: 'sharing.grant.read' },
      schema: { tags, summary: '授权详情', params: IdParams, response: { 200: GrantOut } },
    },
    (req) => getGrant(req.ctx, req.params.id),
  )

  app.post(
    '/grants/:id/revoke',
    {
      config: { action: 'sharing.grant.revoke' },
      schema: { tags, summary: '撤销授权（须说明原因）', params: IdParams, body: ReasonBody, response: { 200: GrantOut } },
    },
    (req) => revokeGrant(req.ctx, req.params.id, req.body.reason),
  )

  app.post(
    '/grants/:id/suspend',
    {
      config: { action: 'sharing.grant.suspend' },
      schema: {
        tags,
        summary: '暂停授权（安全事件、违规使用；须说明原因），暂停期间接口调用返回 GRANT_INACTIVE',
        params: IdParams,
        body: ReasonBody,
        response: { 200: GrantOut },
      },
    },
    (req) => suspendGrant(req.ctx, req.params.id, req.body.reason),
  )

  app.post(
    '/grants/:id/resume',
    {
      config: { action: 'sharing.grant.resume' },
      schema: { tags, summary: '恢复已暂停的授权（须说明原因）', params: IdParams, body: ReasonBody, response: { 200: GrantOut } },
    },
    (req) => resumeGrant(req.ctx, req.params.id, req.body.reason),
  )

  app.post(
    '/grants/:id/reconfirm',
    {
      config: { action: 'sharing.grant.reconfirm' },
      schema: {
        tags,
        summary: '目录共享类型收紧后，提供方重新确认授权的信息项（逾期未确认的信息项暂停提供）',
        params: IdParams,
        body: ReconfirmBody,
        response: { 200: GrantOut },
      },
    },
    (req) => reconfirmGrant(req.ctx, req.params.id, req.body.comment ?? null),
  )

  app.get(
    '/grants/:id/usage',
    {
      config: { action: 'sharing.usage.list' },
      schema: { tags, summary: '授权的使用记录（办件号）', params: IdParams, querystring: PageQuery, response: { 200: pageOf(UsageOut) } },
    },
    (req) => listUsage(req.ctx, req.params.id, req.query),
  )

  app.post(
    '/masking/preview',
    {
      config: { action: 'sharing.masking.preview' },
      schema: {
        tags,
        summary: '脱敏规则预览',
        body: MaskingPreviewBody,
        response: { 200: z.object({ rule: z.string(), values: z.array(z.unknown()) }) },
      },
    },
    (req) => ({ rule: req.body.rule, values: req.body.values.map((value) => maskValue(req.body.rule, value, `preview:${req.ctx.actor.orgId}`)) }),
  )

  app.post(
    '/coordination-cases',
    {
      config: { action: 'sharing.case.create' },
      schema: { tags, summary: '申请协调（被拒绝的申请，或不予共享的资源）', body: CreateCaseBody, response: { 201: CaseOut } },
    },
    async (req, reply) => reply.code(201).send(await openCase(req.ctx, req.body)),
  )

  app.get(
    '/coordination-cases',
    {
      config: { action: 'sharing.case.list' },
      schema: { tags, summary: '协调案件列表', querystring: CaseListQuery, response: { 200: pageOf(CaseOut) } },
    },
    (req) => listCases(req.ctx, req.query),
  )

  app.get(
    '/coordination-cases/:id',
    {
      config: { action: 'sharing.case.read' },
      schema: { tags, summary: '协调案件详情（含协商记录）', params: IdParams, response: { 200: CaseOut } },
    },
    (req) => getCase(req.ctx, req.params.id),
  )

  app.post(
    '/coordination-cases/:id/notes',
    {
      config: { action: 'sharing.case.note' },
      schema: { tags, summary: '记录协商情况', params: IdParams, body: CaseNoteBody, response: { 200: CaseOut } },
    },
    (req) => addCaseNote(req.ctx, req.params.id, req.body.text),
  )

  app.post(
    '/coordination-cases/:id/escalate',
    {
      config: { action: 'sharing.case.escalate' },
      schema: { tags, summary: '协商不成，提请主管部门协调', params: IdParams, body: CaseNoteBody, response: { 200: CaseOut } },
    },
    (req) => escalateCase(req.ctx, req.params.id, req.body.text),
  )

  app.post(
    '/coordination-cases/:id/decision',
    {
      config: { action: 'sharing.case.decide' },
      schema: { tags, summary: '主管部门协调决定（有约束力）', params: IdParams, body: CaseDecisionBody, response: { 200: CaseOut } },
    },
    (req) => decideCase(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/coordination-cases/:id/escalate-up',
    {
      config: { action: 'sharing.case.escalate-up' },
      schema: { tags, summary: '涉及省级或中央事项，提交上级（市政府/省级）协调', params: IdParams, body: CaseNoteBody, response: { 200: CaseOut } },
    },
    (req) => escalateCaseUp(req.ctx, req.params.id, req.body.text),
  )

  app.post(
    '/coordination-cases/:id/close',
    {
      config: { action: 'sharing.case.close' },
      schema: { tags, summary: '决定执行完毕后结案', params: IdParams, body: CaseNoteBody, response: { 200: CaseOut } },
    },
    (req) => closeCase(req.ctx, req.params.id, req.body.text),
  )
}
