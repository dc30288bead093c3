import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { routeDoc } from '../../platform/http/openapi.ts'
import { IdParams } from '../../platform/http/params.ts'
import { FileVersionOut, MountOut, RegisterApiBody, UploadPreviewOut, UploadTableOut } from './schemas.ts'
import { listResourceFiles, listResourceMounts, registerApi, restoreTableCommand, uploadFile, uploadTableCommand } from './service.ts'

const tags = ['mounts']

// Tables are streamed, so they may be far larger than the platform-wide 20 MB multipart limit.
export const TABLE_UPLOAD_MAX_BYTES = 512 * 1024 * 1024
// Files are stored whole in the database (bytea).
export const FILE_UPLOAD_MAX_BYTES = 20 * 1024 * 1024

export const mountsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/catalog/resources/:id/mounts/table',
    {
      config: { action: 'mounts.table.upload' },
      schema: {
        tags,
        summary: '上传库表数据（CSV：UTF-8/GBK 自动识别，或 XLSX），整批替换',
        description:
          'multipart/form-data：file（必填），skipInvalidRows=true（可选，跳过错误行），dryRun=true（可选，只检查并返回替换将带来的变化 preview，200，不导入），confirm=true（确认替换）。' +
          '替换当前批次时，行数变化超过 50% 或当前批次有数据的信息项在文件中缺失，须 confirm=true，否则 409 CONFIRMATION_REQUIRED（error.details[0].preview 为变化预览），当前批次不变。' +
          '文件缺少主键或基础信息项对应的列 → 400。被替换的批次保留一段时间（参数 mounts.restoreDays），可恢复。',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: UploadTableOut, 200: UploadPreviewOut },
        ...routeDoc({
          multipart: {
            schema: {
              type: 'object',
              required: ['file'],
              properties: {
                file: {
                  type: 'string',
                  format: 'binary',
                  description: '数据文件：CSV（UTF-8 或 GBK，自动识别）或 XLSX；首行为表头，列名为信息项英文名或中文名',
                },
                skipInvalidRows: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'true：跳过不符合信息项要求的行，其余照常导入' },
                dryRun: {
                  type: 'string',
                  enum: ['true', 'false'],
                  default: 'false',
                  description: 'true：只检查文件并返回替换将带来的变化（200，preview），不导入任何数据',
                },
                confirm: {
                  type: 'string',
                  enum: ['true', 'false'],
                  default: 'false',
                  description: 'true：确认替换（行数变化超过 50% 或缺少当前批次有数据的信息项时必需）',
                },
              },
            },
          },
          errors: [409],
        }),
      },
    },
    async (req, reply) => {
      const env = { dbKind: app.dbKind, pgPool: app.pgPool }
      const openParts = () => req.parts({ limits: { fileSize: TABLE_UPLOAD_MAX_BYTES, files: 1, fields: 5, parts: 6 } })
      const result = await uploadTableCommand(req.ctx, env, req.params.id, openParts, TABLE_UPLOAD_MAX_BYTES)
      return 'preview' in result ? reply.code(200).send(result) : reply.code(201).send(result)
    },
  )

  app.post(
    '/catalog/resources/:id/mounts/table/restore',
    {
      config: { action: 'mounts.table.restore' },
      schema: {
        tags,
        summary: '恢复上一批次：在保留期内（参数 mounts.restoreDays）重新启用被替换的库表批次',
        params: IdParams,
        response: { 200: MountOut },
        ...routeDoc({ errors: [409] }),
      },
    },
    (req) => restoreTableCommand(req.ctx, req.params.id),
  )

  app.post(
    '/catalog/resources/:id/mounts/file',
    {
      config: { action: 'mounts.file.upload' },
      schema: {
        tags,
        summary: '上传文件（新版本，保留历史版本；不超过 20 MB）',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: FileVersionOut },
        ...routeDoc({
          multipart: {
            schema: {
              type: 'object',
              required: ['file'],
              properties: { file: { type: 'string', format: 'binary', description: '文件（不超过 20 MB），存为新版本' } },
            },
          },
        }),
      },
    },
    async (req, reply) => {
      const openFile = () => req.file({ limits: { fileSize: FILE_UPLOAD_MAX_BYTES, files: 1 } })
      return reply.code(201).send(await uploadFile(req.ctx, req.params.id, openFile, FILE_UPLOAD_MAX_BYTES))
    },
  )

  app.get(
    '/catalog/resources/:id/mounts/files',
    {
      config: { action: 'mounts.file.list' },
      schema: { tags, summary: '文件版本列表（不含内容）', params: IdParams, response: { 200: z.object({ items: z.array(FileVersionOut) }) } },
    },
    (req) => listResourceFiles(req.ctx, req.params.id),
  )

  app.post(
    '/catalog/resources/:id/mounts/api',
    {
      config: { action: 'mounts.api.register' },
      schema: { tags, summary: '登记上游接口', params: IdParams, body: RegisterApiBody, response: { 201: MountOut } },
    },
    async (req, reply) => reply.code(201).send(await registerApi(req.ctx, req.params.id, req.body)),
  )

  app.get(
    '/catalog/resources/:id/mounts',
    {
      config: { action: 'mounts.mount.list' },
      schema: {
        tags,
        summary: '挂接情况（状态、行数、数据时间、批次、文件版本）',
        params: IdParams,
        response: { 200: z.object({ items: z.array(MountOut) }) },
      },
    },
    (req) => listResourceMounts(req.ctx, req.params.id),
  )
}
