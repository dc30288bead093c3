import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx'
import { loadExcelJS } from '../../platform/http/spreadsheet.ts'
import type { FastifyReply } from 'fastify'
import { INDICATORS } from '../../../../common/evaluation.ts'
import { CITY_REGION } from '../../../../common/regions.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorizeLoaded } from '../../platform/auth/policy.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import { DOCX_MIME, XLSX_MIME, contentDisposition } from '../../platform/http/download.ts'
import { forbidden, notFound } from '../../platform/http/errors.ts'
import { listNotices } from './notices.ts'
import { getScores } from './runs.ts'

/**
 * 年度政务信息资源共享工作报告 (SPEC §1.6, §7.11): filled only from a run's frozen figures, as Word in
 * the GB/T 9704 official-document layout (A4, 仿宋 三号 body, 小标宋 二号 title, 黑体 headings) and as Excel.
 */
type Scores = Awaited<ReturnType<typeof getScores>>
type Line = Scores['items'][number]['indicators'][number]

interface ReportData {
  title: string
  subject: string
  period: string
  total: number | null
  rank: string
  indicators: Line[]
  ranking: { name: string; region: string; total: number | null; rank: number | null }[]
  notices: { indicator: string; status: string; dueDate: string; measures: string | null }[]
  issuedOn: string
}

export const fmt = (v: number | null, digits = 2) => (v === null ? '不适用' : Number(v.toFixed(digits)).toString())
const rateText = (l: Line) => (l.value === null ? '—' : l.id === 'M9' || l.id === 'M11' || l.id === 'M12' ? String(l.value) : `${fmt(100 * l.value)}%`)

async function collect(ctx: Ctx, runId: string, orgId: string | undefined): Promise<ReportData> {
  const scores = await getScores(ctx, runId, undefined)
  const year = scores.run.to.slice(0, 4)
  const notices = (await listNotices(ctx, { page: 1, pageSize: 200, runId })).items
  const issuedOn = beijingDateTime(ctx.now()).date
  const period = `${scores.run.from} 至 ${scores.run.to}`
  if (orgId) {
    const org = scores.items.find((i) => i.orgId === orgId)
    if (!org) throw notFound('考核结果')
    return {
      title: `${org.orgName}${year}年度政务信息资源共享工作报告`,
      subject: org.orgName,
      period,
      total: org.total,
      rank: org.rank === null ? '不参与排名' : `在${org.regionName}各部门中排第 ${org.rank} 名`,
      indicators: org.indicators,
      ranking: [],
      notices: notices
        .filter((n) => n.orgId === orgId)
        .map((n) => ({ indicator: n.indicatorName, status: n.status, dueDate: n.dueDate, measures: n.measures })),
      issuedOn,
    }
  }
  const city = scores.aggregates.find((a) => a.level === 'city')
  if (!city) throw forbidden('全市报告仅主管部门可下载')
  return {
    title: `${CITY_REGION.name}${year}年度政务信息资源共享工作报告`,
    subject: CITY_REGION.name,
    period,
    total: city.total,
    rank: `共 ${scores.items.length} 个部门参与考核`,
    indicators: city.indicators,
    ranking: scores.items.map((i) => ({ name: i.orgName, region: i.regionName, total: i.total, rank: i.rank })),
    notices: notices.map((n) => ({ indicator: `${n.orgName}：${n.indicatorName}`, status: n.status, dueDate: n.dueDate, measures: n.measures })),
    issuedOn,
  }
}

const CITY_REPORT = 'city'

const STATUS = { issued: '待整改', responded: '已反馈', closed: '已办结' } as Record<string, string>

// GB/T 9704: sizes in half-points (二号 22pt = 44, 三号 16pt = 32, 四号 14pt = 28); margins in twips.
const body = (text: string, opts: { bold?: boolean; font?: string } = {}) =>
  new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: 'exact' },
    children: [new TextRun({ text, font: opts.font ?? '仿宋_GB2312', size: 32, bold: opts.bold })],
  })
const heading = (text: string) =>
  new Paragraph({ indent: { firstLine: 640 }, spacing: { line: 560, lineRule: 'exact' }, children: [new TextRun({ text, font: '黑体', size: 32 })] })
const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text, font: '仿宋_GB2312', size: 24, bold })] })] })
const table = (header: string[], rows: string[][]) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) })),
    ],
  })

export function indicatorRows(data: ReportData): string[][] {
  return data.indicators.map((l) => [l.id, l.name, `${l.numerator} / ${l.denominator}`, rateText(l), fmt(l.score), String(l.weight), String(l.threshold)])
}

async function writeDocx(data: ReportData): Promise<Buffer> {
  const below = data.indicators.filter((l) => l.score !== null && l.score < l.threshold)
  const children = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 560 },
      children: [new TextRun({ text: data.title, font: '方正小标宋简体', size: 44 })],
    }),
    heading('一、基本情况'),
    body(`考核期间：${data.period}。${data.subject}综合得分 ${fmt(data.total)} 分，${data.rank}。本报告各项数据均取自共享交换平台的记录，不含人工填报。`),
    heading('二、指标完成情况'),
    table(['指标', '名称', '分子 / 分母', '数值', '得分', '权重', '达标线'], indicatorRows(data)),
    heading('三、存在的问题'),
    ...(below.length
      ? below.map((l) => body(`${l.name}（${l.id}）得分 ${fmt(l.score)}，低于达标线 ${l.threshold}：${INDICATORS.find((i) => i.id === l.id)!.violation}。`))
      : [body('各项指标均达到达标线。')]),
    heading('四、整改情况'),
    ...(data.notices.length
      ? data.notices.map((n) => body(`${n.indicator}：${STATUS[n.status]}，整改期限 ${n.dueDate}${n.measures ? `；整改措施：${n.measures}` : ''}。`))
      : [body('本期无整改通知。')]),
    ...(data.ranking.length
      ? [
          heading('五、部门排名'),
          table(
            ['排名', '部门', '区县', '综合得分'],
            data.ranking.map((r) => [r.rank === null ? '—' : String(r.rank), r.name, r.region, fmt(r.total)]),
          ),
        ]
      : []),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: { before: 1120 },
      children: [new TextRun({ text: data.subject, font: '仿宋_GB2312', size: 32 })],
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      children: [
        new TextRun({
          text: data.issuedOn.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_, y, m, d) => `${y}年${Number(m)}月${Number(d)}日`),
          font: '仿宋_GB2312',
          size: 32,
        }),
      ],
    }),
  ]
  const doc = new Document({
    creator: 'GovShare',
    title: data.title,
    sections: [{ properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } }, children }],
  })
  return Packer.toBuffer(doc)
}

async function writeXlsx(data: ReportData): Promise<Buffer> {
  const workbook = new (await loadExcelJS()).Workbook()
  const sheet = workbook.addWorksheet('指标得分')
  sheet.addRow([data.title]).font = { bold: true, size: 14 }
  sheet.addRow([`考核期间：${data.period}`, '', '', `综合得分：${fmt(data.total)}`, data.rank])
  sheet.addRow(['指标', '名称', '分子 / 分母', '数值', '得分', '权重', '达标线']).font = { bold: true }
  for (const row of indicatorRows(data)) sheet.addRow(row)
  sheet.columns.forEach((c, i) => (c.width = [8, 26, 16, 12, 10, 8, 8][i]))
  if (data.ranking.length) {
    const ranking = workbook.addWorksheet('部门排名')
    ranking.addRow(['排名', '部门', '区县', '综合得分']).font = { bold: true }
    for (const r of data.ranking) ranking.addRow([r.rank ?? '—', r.name, r.region, r.total ?? '不适用'])
    ranking.columns.forEach((c, i) => (c.width = [8, 32, 12, 12][i]))
  }
  const notices = workbook.addWorksheet('整改情况')
  notices.addRow(['事项', '状态', '整改期限', '整改措施']).font = { bold: true }
  for (const n of data.notices) notices.addRow([n.indicator, STATUS[n.status], n.dueDate, n.measures ?? ''])
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** Sends a department's report (own department only, 404 for another's) or, without orgId, the city's (authority only). */
export async function sendReport(ctx: Ctx, reply: FastifyReply, runId: string, query: { orgId?: string; format: 'docx' | 'xlsx' }) {
  // The city's report is the subject no department's scope covers: only the authority (scope ALL) sees it.
  authorizeLoaded(ctx.actor, 'evaluation.report.read', { orgId: query.orgId ?? CITY_REPORT }, '考核报告')
  const data = await collect(ctx, runId, query.orgId)
  const buffer = query.format === 'docx' ? await writeDocx(data) : await writeXlsx(data)
  await ctx.db.transaction().execute((trx) =>
    recordAudit(trx, ctx, {
      action: 'evaluation.report.read',
      objectType: 'evaluation_run',
      objectId: runId,
      detail: { orgId: query.orgId ?? null, format: query.format },
    }),
  )
  return reply
    .header('content-type', query.format === 'docx' ? DOCX_MIME : XLSX_MIME)
    .header('content-disposition', contentDisposition(`sharing-report.${query.format}`, `${data.title}.${query.format}`))
    .send(buffer)
}
