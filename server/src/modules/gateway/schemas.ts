import { IsoDate } from '../../platform/http/params.ts'
import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'
import { allowEntryProblem } from './ip-allow.ts'

const AllowEntry = z
  .string()
  .trim()
  .max(50)
  .superRefine((entry, ctx) => {
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

export const TokenBody = z
  .object({ appKey: z.string().trim().min(1).max(64), appSecret: z.string().min(1).max(128) })
  .meta({ examples: [{ appKey: 'ak_5f3c1e9a7b2d4068', appSecret: 'Xv3pQ9sLk2Tz8Rb1Wm6Yc4Nd0Hf7Jg5A' }] })
export const TokenOut = z
  .object({ accessToken: z.string(), expiresIn: z.number().describe('有效秒数'), tokenType: z.literal('Bearer') })
  .meta({ examples: [{ accessToken: 'Lr8sD2kW5qZ0mH3vB7tN1yC9fJ4xG6pA', expiresIn: 7200, tokenType: 'Bearer' }] })

export const RecordsParams = z.object({ resourceId: z.uuid('资源编号格式不正确') })

const LIMIT_MESSAGE = 'limit 应为 1–1000 的整数'
const OFFSET_MESSAGE = 'offset 应为 0–10000000 的整数'
/** Paging and the 办件号 by name; any other parameter is a lookup on a granted item (`nameEn=value`, exact match). */
export const RecordsQuery = z
  .object({
    limit: z.coerce
      .number(LIMIT_MESSAGE)
      .int(LIMIT_MESSAGE)
      .min(1, LIMIT_MESSAGE)
      .max(1000, LIMIT_MESSAGE)
      .default(20)
      .describe('每次返回的记录数，1–1000，默认 20'),
    offset: z.coerce
      .number(OFFSET_MESSAGE)
      .int(OFFSET_MESSAGE)
      .min(0, OFFSET_MESSAGE)
      .max(10_000_000, OFFSET_MESSAGE)
      .default(0)
      .describe('跳过的记录数，默认 0'),
    businessRef: z.string().optional().describe('办件号（也可用请求头 X-Business-Ref）：至多 64 个可打印字符，记入调用记录'),
  })
  .catchall(z.string())
export const RecordsOut = z
  .object({
    items: z.array(z.record(z.string(), z.unknown())).describe('记录，键为信息项英文名，已按授权脱敏；有异议（核实中）的记录另有 `_objection: true`'),
    grantId: z.string(),
    requestId: z.string().nullable(),
    limit: z.number(),
    offset: z.number(),
    objectionNotice: z.string().optional().describe('有记录标注「有异议」时给出的办理规则（R-11）'),
  })
  .meta({
    examples: [
      {
        items: [{ id_no: '370702********1234', full_name: '张*', county: '潍城区' }],
        grantId: '3e9d2c71-0f4b-4a8e-b6d5-2c1a9f8e7d60',
        requestId: 'a4c8e2f0-5b19-4d37-8e6a-0f2b4c6d8e10',
        limit: 20,
        offset: 0,
      },
    ],
  })

const callFilters = {
  box: z.enum(['mine', 'provided', 'all']).default('mine'),
  resourceId: z.uuid('资源编号格式不正确').optional().describe('资源'),
  appId: z.uuid('应用编号格式不正确').optional().describe('调用应用'),
  result: z.enum(['success', 'denied', 'error']).optional(),
  from: IsoDate.optional().describe('起始日期（北京时间，含）'),
  to: IsoDate.optional().describe('截止日期（北京时间，含）'),
}
const datesInOrder = (q: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '截止日期不能早于起始日期' })
}
export const CallListQuery = PageQuery.extend(callFilters).superRefine(datesInOrder)
export type CallListQuery = z.infer<typeof CallListQuery>
export const CallExportQuery = z.object(callFilters).superRefine(datesInOrder)
export type CallExportQuery = z.infer<typeof CallExportQuery>

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
  appName: z.string().nullable().describe('调用应用名称'),
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
