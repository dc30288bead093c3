import { z } from 'zod'
import { INDICATOR_IDS } from '../../../../common/evaluation.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import { IsoDate } from '../../platform/http/params.ts'

const RegionCode = z.string().regex(/^\d{6}$/, '区划代码应为 6 位数字')

export const RegionQuery = z.object({ regionCode: RegionCode.optional().describe('本市或区县的区划代码') })

export const IndicatorOut = z.object({ id: z.string(), name: z.string(), group: z.string(), formula: z.string(), weight: z.number(), threshold: z.number() })

export const IndicatorParams = z.object({ indicatorId: z.enum(INDICATOR_IDS, '指标应为 M1–M12') })

export const IndicatorSettingBody = z.object({
  regionCode: RegionCode.optional().describe('不填为全市默认；填区县代码为该区县单独设置'),
  weight: z.number().min(0, '权重应在 0–100 之间').max(100, '权重应在 0–100 之间'),
  threshold: z.number().min(0, '达标线应在 0–100 之间').max(100, '达标线应在 0–100 之间'),
})

export const CreateRunBody = z.object({
  from: IsoDate.describe('考核期间起始日'),
  to: IsoDate.describe('考核期间截止日'),
  label: z.string().trim().max(60, '名称不超过 60 字').optional().describe('期次名称，如「2026 年度考核」'),
})

export const RunOut = z.object({ id: z.string(), label: z.string(), from: z.string(), to: z.string(), status: z.string(), computedAt: z.date() })

const IndicatorScoreOut = z.object({
  id: z.string(),
  name: z.string(),
  numerator: z.number(),
  denominator: z.number(),
  value: z.number().nullable(),
  score: z.number().nullable(),
  weight: z.number(),
  threshold: z.number(),
  detail: z.record(z.string(), z.unknown()),
})

export const ScoresOut = z.object({
  run: z.object({ id: z.string(), label: z.string(), from: z.string(), to: z.string(), computedAt: z.date() }),
  items: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      regionCode: z.string(),
      regionName: z.string(),
      total: z.number().nullable(),
      rank: z.number().nullable(),
      indicators: z.array(IndicatorScoreOut),
    }),
  ),
  aggregates: z.array(
    z.object({
      level: z.string(),
      regionCode: z.string(),
      regionName: z.string(),
      total: z.number().nullable(),
      rank: z.number().nullable(),
      indicators: z.array(IndicatorScoreOut),
    }),
  ),
})

export const RunIdParams = z.object({ id: z.uuid('编号格式不正确') })
export const EvidenceParams = z.object({ id: z.uuid('编号格式不正确'), orgId: z.uuid('编号格式不正确'), indicatorId: z.enum(INDICATOR_IDS, '指标应为 M1–M12') })
export const EvidenceQuery = PageQuery.extend({
  ok: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('true：只看计为达标的记录；false：只看未达标的'),
})

export const EvidencePage = z.object({
  items: z.array(
    z.object({
      objectType: z.string(),
      objectId: z.string(),
      label: z.string(),
      day: z.string().nullable(),
      ok: z.boolean().nullable(),
      amount: z.number().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
})

export const NoticeOut = z.object({
  id: z.string(),
  runId: z.string(),
  runLabel: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  indicator: z.string(),
  indicatorName: z.string(),
  violation: z.string(),
  score: z.number(),
  threshold: z.number(),
  status: z.enum(['issued', 'responded', 'closed']),
  dueDate: z.string(),
  dueAt: z.date(),
  measures: z.string().nullable(),
  respondedAt: z.date().nullable(),
  respondedByName: z.string().nullable(),
  closingComment: z.string().nullable(),
  closedAt: z.date().nullable(),
  closedByName: z.string().nullable(),
  escalatedAt: z.date().nullable(),
  issuedAt: z.date(),
  overdue: z.boolean(),
})

export const NoticeListQuery = PageQuery.extend({ runId: z.uuid('编号格式不正确').optional(), status: z.enum(['issued', 'responded', 'closed']).optional() })
export const RespondBody = z.object({ measures: z.string().trim().min(5, '请填写整改措施（至少 5 字）').max(2000, '整改措施不超过 2000 字') })
export const CloseBody = z.object({
  accept: z.boolean().default(true).describe('true 办结；false 退回补充'),
  comment: z.string().trim().min(2, '请填写办结或退回意见').max(1000, '意见不超过 1000 字'),
})

export const ReportQuery = z.object({
  orgId: z.uuid('编号格式不正确').optional().describe('部门；不填为全市报告'),
  format: z.enum(['docx', 'xlsx'], '格式应为 docx 或 xlsx'),
})
