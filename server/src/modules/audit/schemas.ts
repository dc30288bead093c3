import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'

/** The auditor's filters (SPEC §8.4 S12 fields: who, what, when, result, business reference). */
export const AuditFilters = z.object({
  actorId: z.uuid().optional().describe('操作人（用户 ID）'),
  actor: z.string().max(50).optional().describe('操作人姓名或账号（包含即匹配）'),
  orgId: z.uuid().optional().describe('操作人所属单位 ID'),
  appId: z.uuid().optional().describe('调用应用 ID（数据网关）'),
  action: z.string().max(100).optional().describe('操作，精确匹配，如 sharing.request.decide'),
  actions: z.string().max(2000).optional().describe('多个操作，逗号分隔，任一匹配（同一中文名称的几种操作）'),
  actionPrefix: z.string().max(100).optional().describe('操作前缀，如 sharing. 匹配共享类全部操作'),
  objectType: z.string().max(50).optional(),
  objectId: z.string().max(100).optional(),
  result: z.enum(['success', 'denied', 'error']).optional(),
  requestId: z.string().max(100).optional().describe('请求 ID（响应头 X-Request-Id）'),
  grantId: z.uuid().optional().describe('授权 ID'),
  from: z.iso.datetime({ offset: true }).optional().describe('起始时间（ISO 8601，含时区），含'),
  to: z.iso.datetime({ offset: true }).optional().describe('截止时间（ISO 8601，含时区），含'),
})
export type AuditFilters = z.infer<typeof AuditFilters>

export const AuditQuery = PageQuery.extend(AuditFilters.shape)
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditExportQuery = AuditFilters.extend({
  format: z
    .enum(['csv', 'xlsx'])
    .default('csv')
    .describe('csv（UTF-8 带 BOM，Excel 直接打开，不限行数）或 xlsx（最多 1,000,000 行，Excel 单表上限所致；更多请用 csv）'),
})
export type AuditExportQuery = z.infer<typeof AuditExportQuery>

export const AuditEventOut = z.object({
  id: z.number(),
  at: z.date(),
  actorId: z.string().nullable(),
  username: z.string().nullable().describe('操作人账号'),
  userName: z.string().nullable().describe('操作人姓名'),
  appId: z.string().nullable(),
  appName: z.string().nullable().describe('调用应用名称'),
  orgId: z.string().nullable(),
  orgName: z.string().nullable().describe('操作人所属单位'),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  objectName: z.string().nullable().describe('对象名称（目录名称、申请编号、用户姓名等）'),
  result: z.enum(['success', 'denied', 'error']),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  grantId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  hash: z.string(),
  prevHash: z.string(),
})

export const VerifyOut = z.object({
  ok: z.boolean(),
  count: z.number().describe('已校验的在线事件数'),
  headHash: z.string(),
  firstBadId: z.number().nullable().describe('第一条校验失败的事件编号'),
  archivedSegments: z.number().describe('已归档的月份段数'),
  archivedEvents: z.number().describe('已归档的事件数'),
  startHash: z.string().describe('在线哈希链的起点（最后一个归档段的末条哈希；无归档时为全零）'),
  callLogs: z
    .object({
      ok: z.boolean(),
      sealEvents: z.number().describe('已校验的封存事件数（gateway.records.read）'),
      sealedCalls: z.number().describe('这些事件封存的调用记录数'),
      firstBadEventId: z.number().nullable().describe('第一条所封存调用记录缺失、被改动或重复封存的事件编号'),
      unsealedCalls: z.number().describe('第一次封存以来未被任何事件封存的调用记录数'),
    })
    .describe('接口调用记录的 SM3 封存校验；ok 同时要求哈希链和调用记录都完好'),
  checkpoint: z
    .object({
      ok: z.boolean(),
      code: z
        .enum(['CHECKPOINT_MATCHED', 'NO_CHECKPOINT', 'CHECKPOINT_INVALID', 'CHAIN_TRUNCATED', 'CHAIN_REWRITTEN', 'CHECKPOINT_ARCHIVED'])
        .describe(
          'CHECKPOINT_MATCHED 与最新检查点一致；NO_CHECKPOINT 尚无检查点；CHECKPOINT_INVALID 检查点签名无效或密钥不可用；CHAIN_TRUNCATED 检查点所记事件已被删除（尾部截断）；CHAIN_REWRITTEN 该事件哈希不符（链被改写）；CHECKPOINT_ARCHIVED 该事件已归档，需用命令行连同归档文件校验',
        ),
      message: z.string(),
      file: z.string().nullable().describe('最新检查点的文件名'),
      checkpoint: z
        .object({
          eventId: z.number(),
          hash: z.string(),
          at: z.string().describe('该事件的时间'),
          writtenAt: z.string().describe('检查点写入时间'),
          algorithm: z.enum(['SM2-SM3', 'HMAC-SM3']),
          keyId: z.string().describe('签名密钥标识'),
        })
        .nullable(),
    })
    .describe('与数据库之外保存的最新签名检查点比对（发现尾部删除或整链重算）'),
})
