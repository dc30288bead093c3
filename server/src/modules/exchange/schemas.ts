import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'

// Identifiers the node uses in its own database: letters, digits, underscores, optionally schema-qualified.
const Identifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, '只能包含字母、数字和下划线，且不以数字开头')
const TableName = z
  .string()
  .trim()
  .regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, '表名只能包含字母、数字和下划线（可写作 模式.表名）')
const ConnectionName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, '连接名只能包含字母、数字、点、下划线和连字符')

export const CreateNodeBody = z.object({
  name: z.string().trim().min(1, '前置机名称不能为空').max(50).describe('前置机名称'),
  note: z.string().trim().max(200).nullish().describe('备注（所在网络区域、机房等）'),
  heartbeatSeconds: z.number().int().min(1).max(3600).optional().describe('心跳间隔（秒），连续三次未收到心跳视为离线'),
})

const Controls = {
  channels: z.number().int().min(1).max(16).optional().describe('并行通道数（按切分键分片）'),
  speedRecords: z.number().int().positive().nullish().describe('限速：每秒记录数'),
  speedBytes: z.number().int().positive().nullish().describe('限速：每秒字节数'),
  errorLimitCount: z.number().int().min(0).nullish().describe('错误记录上限（条）'),
  errorLimitShare: z.number().min(0).max(1).nullish().describe('错误记录上限（比例，0–1）'),
}

export const JobControlsBody = z
  .object({ ...Controls, writeMode: z.enum(['insert', 'upsert']).optional().describe('写入方式（仅交付任务）：insert 插入，upsert 按主键覆盖') })
  .refine((body) => Object.values(body).some((v) => v !== undefined), '请至少修改一项')
export type JobControlsBody = z.infer<typeof JobControlsBody>

export const FeedBody = z.object({
  nodeId: z.uuid('请选择前置机'),
  resourceId: z.uuid('请选择目录'),
  connection: ConnectionName.describe('前置机配置文件中的连接名'),
  table: TableName.describe('源表'),
  keyColumn: Identifier.describe('主键列'),
  incrementalColumn: Identifier.nullish().describe('增量字段（时间戳或递增键）；为空则每次全量'),
  columns: z
    .array(z.object({ itemId: z.uuid(), column: Identifier }))
    .min(1, '至少对应一个信息项')
    .max(500)
    .describe('信息项与源表列的对应'),
  where: z
    .string()
    .trim()
    .max(500)
    .refine((w) => !/;|--|\/\*/.test(w), '过滤条件不能包含分号或注释')
    .nullish()
    .describe('过滤条件（只提供部分数据时，SQL WHERE 子句）'),
  splitPk: Identifier.nullish().describe('切分键（数值列，并行读取时使用）'),
  ...Controls,
})
export type FeedBody = z.infer<typeof FeedBody>

export const DeliveryBody = z.object({
  grantId: z.uuid('请选择授权'),
  nodeId: z.uuid('请选择前置机'),
  connection: ConnectionName.describe('前置机配置文件中的连接名'),
  table: TableName.describe('目标表'),
  writeMode: z.enum(['insert', 'upsert']).optional().describe('写入方式：insert 插入，upsert 按主键覆盖'),
  ...Controls,
})
export type DeliveryBody = z.infer<typeof DeliveryBody>

export const RunNowBody = z.object({ full: z.boolean().default(false).describe('全量重做') })
export const StopBody = z.object({ reason: z.string().trim().min(1, '请填写停止原因').max(200) })
export const RunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
export const JOB_STATUSES = ['draft', 'verifying', 'active', 'paused', 'stopped', 'purging', 'purged'] as const
export const RUN_STATUSES = ['running', 'succeeded', 'failed'] as const
export const JobsQuery = z.object({
  nodeId: z.uuid().optional().describe('前置机'),
  orgId: z.uuid().optional().describe('前置机所属单位（主管部门按部门查看）'),
  status: z.enum(JOB_STATUSES).optional().describe('任务状态'),
  kind: z.enum(['feed', 'delivery']).optional().describe('feed 挂接 / delivery 交付'),
  flagged: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true：只看连续失败已标记的任务'),
})
export type JobsQuery = z.infer<typeof JobsQuery>
export const NODE_STATUSES = ['pending', 'online', 'degraded', 'offline', 'revoked'] as const
export const NodesQuery = z.object({
  orgId: z.uuid().optional().describe('前置机所属单位（主管部门按部门查看）'),
  status: z.enum(NODE_STATUSES).optional().describe('状态：pending 待注册 / online 在线 / degraded 降级 / offline 离线 / revoked 已注销'),
})
export const RecentRunsQuery = PageQuery.extend({
  jobId: z.uuid().optional().describe('交换任务'),
  orgId: z.uuid().optional().describe('前置机所属单位'),
  status: z.enum(RUN_STATUSES).optional().describe('运行状态'),
})
export type RecentRunsQuery = z.infer<typeof RecentRunsQuery>

// ---- agent protocol ----

const Connections = z.array(z.object({ name: ConnectionName, kind: z.enum(['postgres', 'mariadb']) })).max(50)

export const EnrolBody = z.object({ token: z.string().min(10).max(200), connections: Connections, version: z.string().max(40) })
export const HeartbeatBody = z.object({ connections: Connections, problem: z.string().max(500).nullish() })
export const VerifyResultBody = z.object({
  problems: z.array(z.object({ column: z.string().max(64), message: z.string().max(300) })).max(100),
  sampled: z.number().int().min(0),
})
export const DeletesBody = z.object({ keys: z.array(z.string().max(500)).max(2_000_000) })
export const FeedQuery = z.object({
  mode: z.enum(['full', 'incremental']),
  watermark: z.string().max(100).optional(),
  rowsRead: z.coerce.number().int().min(0).optional(),
})
export const ReportBody = z.object({
  ok: z.boolean(),
  rowsRead: z.number().int().min(0).default(0),
  rowsWritten: z.number().int().min(0).default(0),
  rowsDeleted: z.number().int().min(0).default(0),
  rowsFailed: z.number().int().min(0).default(0),
  bytes: z.number().int().min(0).default(0),
  error: z.string().max(1000).nullish(),
})
export const RunParams = z.object({ id: z.uuid('编号格式不正确') })

// ---- console output ----

export const NodeOut = z.object({
  id: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  name: z.string(),
  note: z.string().nullable(),
  status: z.enum(NODE_STATUSES),
  enrolledAt: z.date().nullable(),
  enrolExpiresAt: z.date().nullable(),
  heartbeatAt: z.date().nullable(),
  heartbeatSeconds: z.number(),
  connections: z.array(z.object({ name: z.string(), kind: z.string() })),
  agentVersion: z.string().nullable(),
  problem: z.string().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
  actions: z.object({ manage: z.boolean() }).describe('当前用户可否重新签发注册码、注销'),
})
export const NodeCreatedOut = NodeOut.extend({ enrolmentToken: z.string().describe('一次性注册码，只显示这一次，24 小时内有效') })

export const JobOut = z.object({
  id: z.string(),
  kind: z.enum(['feed', 'delivery']),
  nodeId: z.string(),
  nodeName: z.string(),
  orgId: z.string(),
  orgName: z.string().describe('前置机所属单位（交付任务即使用方）'),
  resourceId: z.string(),
  resourceName: z.string(),
  providerOrgName: z.string().describe('目录的提供方'),
  grantId: z.string().nullable(),
  connection: z.string(),
  tableName: z.string(),
  keyColumn: z.string().nullable(),
  incrementalColumn: z.string().nullable(),
  whereFilter: z.string().nullable(),
  carryDeletes: z.boolean(),
  channels: z.number(),
  speedRecords: z.number().nullable(),
  speedBytes: z.number().nullable(),
  errorLimitCount: z.number().nullable(),
  errorLimitShare: z.number().nullable(),
  writeMode: z.enum(['insert', 'upsert']),
  status: z.enum(JOB_STATUSES),
  statusReason: z.string().nullable(),
  consecutiveFailures: z.number(),
  flaggedAt: z.date().nullable(),
  nextRunAt: z.date().nullable(),
  purgeRequestedAt: z.date().nullable(),
  purgedAt: z.date().nullable(),
  createdAt: z.date(),
  actions: z.object({ manage: z.boolean() }).describe('当前用户可否调整、运行、暂停、停止'),
})

export const RunOut = z.object({
  id: z.string(),
  jobId: z.string(),
  kind: z.enum(['verify', 'full', 'incremental', 'purge']),
  status: z.enum(RUN_STATUSES),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  rowsRead: z.number(),
  rowsWritten: z.number(),
  rowsDeleted: z.number(),
  rowsFailed: z.number(),
  bytes: z.number(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
})

export const RecentRunOut = RunOut.extend({
  jobKind: z.enum(['feed', 'delivery']),
  tableName: z.string(),
  jobStatus: z.enum(JOB_STATUSES),
  purgeRequestedAt: z.date().nullable(),
  purgedAt: z.date().nullable(),
  nodeName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  resourceName: z.string(),
})
