import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { attachment } from '../../platform/http/spreadsheet.ts'
import { AcceptBody, RAISE_BODY_LIMIT, CommentBody, ListQuery, ObjectionOut, RaiseBody, VerifyBody } from './schemas.ts'
import { acceptObjection, disputeObjection, evidenceFile, getObjection, listObjections, markCorrected, raiseObjection, verifyObjection } from './service.ts'

const tags = ['objections']

export const objectionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/objections',
    {
      config: { action: 'objections.objection.create' },
      bodyLimit: RAISE_BODY_LIMIT,
      schema: { tags, summary: '提出数据异议（对获得的数据记录：信息项、记录主键、类型、说明、证明材料）', body: RaiseBody, response: { 201: ObjectionOut } },
    },
    async (req, reply) => reply.code(201).send(await raiseObjection(req.ctx, req.body)),
  )

  app.get(
    '/objections',
    {
      config: { action: 'objections.objection.list' },
      schema: {
        tags,
        summary: '数据异议列表：raised 本单位提出 / received 本单位数据收到 / all',
        querystring: ListQuery,
        response: { 200: pageOf(ObjectionOut) },
      },
    },
    (req) => listObjections(req.ctx, req.query),
  )

  app.get(
    '/objections/:id',
    {
      config: { action: 'objections.objection.read' },
      schema: { tags, summary: '数据异议详情（含办理时间线与证明材料）', params: IdParams, response: { 200: ObjectionOut } },
    },
    (req) => getObjection(req.ctx, req.params.id),
  )

  app.post(
    '/objections/:id/acceptance',
    {
      config: { action: 'objections.objection.accept' },
      schema: {
        tags,
        summary: '主管部门受理（记录标注「有异议」，提供部门 5 个工作日内核实）或驳回',
        params: IdParams,
        body: AcceptBody,
        response: { 200: ObjectionOut },
      },
    },
    (req) => acceptObjection(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/objections/:id/verification',
    {
      config: { action: 'objections.objection.verify' },
      schema: {
        tags,
        summary: '提供部门核实：confirm 确认有误（源头更正后标注撤销）或 explain 说明数据无误',
        params: IdParams,
        body: VerifyBody,
        response: { 200: ObjectionOut },
      },
    },
    (req) => verifyObjection(req.ctx, req.params.id, req.body),
  )

  app.post(
    '/objections/:id/corrected',
    {
      config: { action: 'objections.objection.verify' },
      schema: {
        tags,
        summary: '提供部门报告已在源头更正（库表挂接须已上传新批次；新批次生效后也会自动撤销标注）',
        params: IdParams,
        body: CommentBody,
        response: { 200: ObjectionOut },
      },
    },
    (req) => markCorrected(req.ctx, req.params.id, req.body.comment),
  )

  app.post(
    '/objections/:id/dispute',
    {
      config: { action: 'objections.objection.dispute' },
      schema: { tags, summary: '提出方对说明有异议，提请协调', params: IdParams, body: CommentBody, response: { 200: ObjectionOut } },
    },
    (req) => disputeObjection(req.ctx, req.params.id, req.body.comment),
  )

  app.get(
    '/objections/:id/evidence/:fileId',
    {
      config: { action: 'objections.objection.read' },
      schema: { tags, summary: '下载证明材料', params: IdParams.extend({ fileId: z.uuid('编号格式不正确') }) },
    },
    async (req, reply) => {
      const file = await evidenceFile(req.ctx, req.params.id, req.params.fileId)
      return (reply as FastifyReply)
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', attachment('evidence', file.fileName))
        .send(file.content)
    },
  )
}
