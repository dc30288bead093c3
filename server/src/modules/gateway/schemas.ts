import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'
import { allowEntryProblem } from './ip-allow.ts'

const AllowEntry = z.string().trim().max(50).superRefine((entry, ctx) => {
  const problem = allowEntryProblem(entry)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

export const CreateAppBody = z.object({
  name: z.string().trim().min(1, '应用名称不能为空').max(50).describe('应用名称'),
  ipAllowList: z.array(AllowEntry).max(50).default([]).describe('IP 白名单（IPv4/IPv6 地址或 CIDR；空表示不限）'),
})

export const AppOut = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  appKey: z.string(),
  ipAllowList: z.array(z.string()),
  status: z.enum(['active', 'disabled']),
  createdAt: z.date(),
})
export const AppCreatedOut = AppOut.extend({ appSecret: z.string().describe('应用密钥，只显示这一次') })

export const TokenBody = z.object({ appKey: z.string().trim().min(1).max(64), appSecret: z.string().min(1).max(128) })
export const TokenOut = z.object({ accessToken: z.string(), expiresIn: z.number().describe('有效秒数'), tokenType: z.literal('Bearer') })

export const RecordsParams = z.object({ resourceId: z.uuid('资源编号格式不正确') })
export const RecordsOut = z.object({
  items: z.array(z.record(z.string(), z.unknown())).describe('记录，键为信息项英文名，已按授权脱敏；有异议（核实中）的记录另有 `_objection: true`'),
  grantId: z.string(),
  requestId: z.string().nullable(),
  limit: z.number(),
  offset: z.number(),
  objectionNotice: z.string().optional().describe('有记录标注「有异议」时给出的办理规则（R-11）'),
})

export const CallListQuery = PageQuery.extend({
  box: z.enum(['mine', 'provided', 'all']).default('mine'),
  resourceId: z.uuid().optional(),
  result: z.enum(['success', 'denied', 'error']).optional(),
})

export const CallOut = z.object({
  id: z.number(),
  requestInAt: z.date(),
  upstreamOutAt: z.date().nullable(),
  upstreamInAt: z.date().nullable(),
  responseOutAt: z.date(),
  requestBytes: z.number(),
  responseBytes: z.number(),
  consumerOrgId: z.string().nullable(),
  appId: z.string().nullable(),
  resourceId: z.string().nullable(),
  providerOrgId: z.string().nullable(),
  grantId: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  rowsReturned: z.number(),
  result: z.enum(['success', 'denied', 'error']),
  errorClass: z.string().nullable(),
  errorCode: z.string().nullable(),
  businessRef: z.string().nullable(),
})

export const SampleOut = z.object({
  items: z.array(z.object({ name: z.string(), nameEn: z.string(), masking: z.string(), maskingLabel: z.string() })),
  rows: z.array(z.record(z.string(), z.string().nullable())).describe('至多 5 行，键为信息项英文名，已按默认规则脱敏'),
  lastDataTime: z.date().nullable().describe('数据最后更新时间'),
})

export const AppFlagListQuery = PageQuery.extend({
  status: z.enum(['open', 'cleared', 'all'], '状态应为 open、cleared 或 all').default('open').describe('open 待核查，cleared 已处理，all 全部'),
})
export type AppFlagListQuery = z.infer<typeof AppFlagListQuery>

export const ClearAppFlagBody = z.object({ note: z.string().trim().min(1, '处理说明不能为空').max(2000, '不能超过 2000 字').describe('核查结论与处理说明') })

export const AppFlagOut = z.object({
  id: z.string(),
  appId: z.string(),
  appName: z.string(),
  appStatus: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  reason: z.string().describe('lookup_misses：短时间内大量查询未命中或查询脱敏项被拒'),
  reasonLabel: z.string(),
  misses: z.number().describe('触发标记的一分钟内未命中次数'),
  times: z.number().describe('标记未处理期间再次触发的次数'),
  firstAt: z.date(),
  lastAt: z.date(),
  clearedAt: z.date().nullable(),
  clearedBy: z.string().nullable(),
  clearNote: z.string().nullable(),
})
