import { sql } from 'kysely'
import { INDICATORS, type IndicatorId } from '../../../../common/evaluation.ts'
import { CITY_REGION, regionName } from '../../../../common/regions.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { addDays, beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { fieldError, notFound } from '../../platform/http/errors.ts'
import { type PageQuery, pageOffset } from '../../platform/http/pagination.ts'
import { type EvidenceTotals, type Period, evidenceTotals, writeEvidence } from './metrics.ts'
import { type IndicatorScore, aggregate, rankByTotal, scoreDepartment, weightedTotal } from './scoring.ts'
import { loadSettings } from './settings.ts'

const CITY = CITY_REGION.code

/** The instants a period covers: its days in Beijing time, cut at the computation time if it has not ended. */
export function periodOf(runId: string, from: string, to: string, now: Date): Period {
  const fromAt = new Date(`${from}T00:00:00+08:00`)
  const endAt = new Date(`${addDays(to, 1)}T00:00:00+08:00`)
  const untilAt = endAt < now ? endAt : now
  const today = beijingDateTime(now).date
  return { runId, fromAt, untilAt, fromDate: from, lastDate: to < today ? to : today }
}

/**
 * Computes a period's evaluation as a new frozen run (SPEC §9): evidence from the records, scores and
 * ranks from the evidence, all written once in one transaction.
 */
export async function createRun(ctx: Ctx, body: { from: string; to: string; label?: string }, timings?: Record<string, number>) {
  if (body.from > body.to) throw fieldError('to', '截止日期不能早于起始日期')
  const now = ctx.now()
  if (new Date(`${body.from}T00:00:00+08:00`) > now) throw fieldError('from', '考核期间尚未开始')
  return ctx.db.transaction().execute(async (trx) => {
    // The evidence queries group a year's records (call days, mount batches): room to hash rather than sort on disk.
    await sql`set local work_mem = '128MB'`.execute(trx)
    const settings = await loadSettings(trx)
    const label = body.label?.trim() || `${body.from} 至 ${body.to}`
    const run = await trx
      .insertInto('evaluationRuns')
      .values({ periodFrom: body.from, periodTo: body.to, label, settings: JSON.stringify(settings), computedAt: now, computedBy: ctx.actor.userId })
      .returning(['id', 'status', 'computedAt'])
      .executeTakeFirstOrThrow()
    await writeEvidence(trx, periodOf(run.id, body.from, body.to, now), timings)
    await writeScores(trx, run.id, settings)
    await recordAudit(trx, ctx, { action: 'evaluation.run.create', objectType: 'evaluation_run', objectId: run.id, detail: { from: body.from, to: body.to } })
    return { id: run.id, status: run.status, computedAt: new Date(run.computedAt), label, from: body.from, to: body.to }
  })
}

async function writeScores(trx: Executor, runId: string, settings: Awaited<ReturnType<typeof loadSettings>>) {
  const departments = await trx.selectFrom('orgs').select(['id', 'regionCode']).where('kind', '=', 'department').orderBy('id').execute()
  const byOrg = new Map<string, Map<IndicatorId, EvidenceTotals>>()
  for (const t of await evidenceTotals(trx, runId)) {
    if (!byOrg.has(t.orgId)) byOrg.set(t.orgId, new Map())
    byOrg.get(t.orgId)!.set(t.indicator, t)
  }
  const tenants = [...new Set(departments.map((d) => d.regionCode))].filter((code) => settings[code])
  const scoreRows: object[] = []
  const totalRows: object[] = []
  const push = (level: string, orgId: string | null, tenant: string, scores: IndicatorScore[]) => {
    for (const s of scores) {
      scoreRows.push({
        runId,
        level,
        orgId,
        tenant,
        indicator: s.indicator,
        numerator: s.numerator,
        denominator: s.denominator,
        value: s.value,
        score: s.score,
        weight: s.weight,
        threshold: s.threshold,
        detail: JSON.stringify(s.detail),
      })
    }
  }
  const tenantResults: { tenant: string; scores: IndicatorScore[]; total: number | null }[] = []
  const allDepartmentScores: IndicatorScore[][] = []
  for (const tenant of tenants) {
    const members = departments.filter((d) => d.regionCode === tenant)
    const m9Max = Math.max(0, ...members.map((d) => byOrg.get(d.id)?.get('M9')?.distinct ?? 0))
    const scored = members.map((d) => {
      const scores = scoreDepartment(byOrg.get(d.id) ?? new Map(), settings[tenant]!, m9Max, d.id)
      return { orgId: d.id, scores, total: weightedTotal(scores) }
    })
    for (const d of rankByTotal(scored)) {
      push('department', d.orgId, tenant, d.scores)
      totalRows.push({ runId, level: 'department', orgId: d.orgId, tenant, total: d.total, rank: d.rank })
    }
    const scores = aggregate(
      scored.map((d) => d.scores),
      settings[tenant]!,
    )
    const totals = scored.map((d) => d.total).filter((t): t is number => t !== null)
    tenantResults.push({ tenant, scores, total: totals.length ? Math.round((100 * totals.reduce((a, b) => a + b, 0)) / totals.length) / 100 : null })
    allDepartmentScores.push(...scored.map((d) => d.scores))
  }
  for (const t of rankByTotal(tenantResults)) {
    push('tenant', null, t.tenant, t.scores)
    totalRows.push({ runId, level: 'tenant', orgId: null, tenant: t.tenant, total: t.total, rank: t.rank })
  }
  const city = aggregate(allDepartmentScores, settings[CITY]!)
  push('city', null, CITY, city)
  const cityTotals = tenantResults.map((t) => t.total).filter((t): t is number => t !== null)
  totalRows.push({
    runId,
    level: 'city',
    orgId: null,
    tenant: CITY,
    total: cityTotals.length ? Math.round((100 * cityTotals.reduce((a, b) => a + b, 0)) / cityTotals.length) / 100 : null,
    rank: null,
  })
  for (let i = 0; i < scoreRows.length; i += 1000)
    await trx
      .insertInto('evaluationScores')
      .values(scoreRows.slice(i, i + 1000) as never)
      .execute()
  for (let i = 0; i < totalRows.length; i += 1000)
    await trx
      .insertInto('evaluationTotals')
      .values(totalRows.slice(i, i + 1000) as never)
      .execute()
}

export async function listRuns(ctx: Ctx) {
  const runs = await ctx.db
    .selectFrom('evaluationRuns')
    .select(['id', 'label', 'periodFrom', 'periodTo', 'status', 'computedAt'])
    .orderBy('computedAt', 'desc')
    .limit(200)
    .execute()
  return { items: runs.map((r) => ({ id: r.id, label: r.label, from: r.periodFrom, to: r.periodTo, status: r.status, computedAt: new Date(r.computedAt) })) }
}

export const loadRun = (db: Executor, id: string) =>
  db.selectFrom('evaluationRuns').select(['id', 'label', 'periodFrom', 'periodTo', 'computedAt', 'settings']).where('id', '=', id).executeTakeFirst()

const num = (v: string | null) => (v === null ? null : Number(v))

/** Indicator rows of a run, in M1…M12 order, as the API presents them. */
function presentIndicators(
  rows: {
    indicator: string
    numerator: string
    denominator: string
    value: string | null
    score: string | null
    weight: string
    threshold: string
    detail: Record<string, unknown>
  }[],
) {
  const order = new Map(INDICATORS.map((i, n) => [i.id as string, n]))
  return [...rows]
    .sort((a, b) => order.get(a.indicator)! - order.get(b.indicator)!)
    .map((r) => ({
      id: r.indicator,
      name: INDICATORS[order.get(r.indicator)!]!.name,
      numerator: Number(r.numerator),
      denominator: Number(r.denominator),
      value: num(r.value),
      score: num(r.score),
      weight: Number(r.weight),
      threshold: Number(r.threshold),
      detail: r.detail,
    }))
}

/**
 * A run's department scores within the caller's scope (the authority sees all; a department its own),
 * ranked per tenant, with each tenant's and the city's aggregate for the authority.
 */
export async function getScores(ctx: Ctx, runId: string, regionCode: string | undefined) {
  const run = await loadRun(ctx.db, runId)
  if (!run) throw notFound('考核期次')
  const scope = scopeOf(ctx.actor, 'evaluation.score.read')
  const totals = await ctx.db
    .selectFrom('evaluationTotals as t')
    .innerJoin('orgs as o', 'o.id', 't.orgId')
    .select(['t.orgId', 'o.name as orgName', 't.tenant', 't.total', 't.rank'])
    .where('t.runId', '=', runId)
    .where('t.level', '=', 'department')
    .where(scopeWhere(scope, { orgId: sql.ref('t.org_id') }))
    .$if(regionCode !== undefined, (qb) => qb.where('t.tenant', '=', regionCode!))
    .orderBy('t.tenant')
    .orderBy(sql`t.rank nulls last`)
    .orderBy('o.name')
    .execute()
  const scores = await ctx.db
    .selectFrom('evaluationScores')
    .select(['orgId', 'level', 'tenant', 'indicator', 'numerator', 'denominator', 'value', 'score', 'weight', 'threshold', 'detail'])
    .where('runId', '=', runId)
    .where((eb) => eb.or([eb('orgId', 'in', totals.length ? totals.map((t) => t.orgId!) : ['00000000-0000-0000-0000-000000000000']), eb('orgId', 'is', null)]))
    .execute()
  const seesAll = 'all' in scope
  const aggregates = seesAll
    ? (
        await ctx.db
          .selectFrom('evaluationTotals')
          .select(['level', 'tenant', 'total', 'rank'])
          .where('runId', '=', runId)
          .where('level', 'in', ['tenant', 'city'])
          .execute()
      )
        .filter((t) => regionCode === undefined || t.tenant === regionCode || t.level === 'city')
        .map((t) => ({
          level: t.level,
          regionCode: t.tenant,
          regionName: regionName(t.tenant) ?? t.tenant,
          total: num(t.total),
          rank: t.rank,
          indicators: presentIndicators(scores.filter((s) => s.orgId === null && s.level === t.level && s.tenant === t.tenant)),
        }))
    : []
  return {
    run: { id: run.id, label: run.label, from: run.periodFrom, to: run.periodTo, computedAt: new Date(run.computedAt) },
    items: totals.map((t) => ({
      orgId: t.orgId!,
      orgName: t.orgName,
      regionCode: t.tenant,
      regionName: regionName(t.tenant) ?? t.tenant,
      total: num(t.total),
      rank: t.rank,
      indicators: presentIndicators(scores.filter((s) => s.orgId === t.orgId)),
    })),
    aggregates,
  }
}

/** The records behind one department's figure (paged), within the caller's scope (404 outside it). */
export async function getEvidence(ctx: Ctx, runId: string, orgId: string, indicator: IndicatorId, query: PageQuery & { ok?: boolean }) {
  const run = await loadRun(ctx.db, runId)
  const total =
    run &&
    (await ctx.db
      .selectFrom('evaluationTotals')
      .select(['orgId'])
      .where('runId', '=', runId)
      .where('orgId', '=', orgId)
      .where('level', '=', 'department')
      .executeTakeFirst())
  authorizeLoaded(ctx.actor, 'evaluation.score.read', total ? { orgId: total.orgId! } : undefined, '考核结果')
  const base = ctx.db
    .selectFrom('evaluationEvidence')
    .where('runId', '=', runId)
    .where('orgId', '=', orgId)
    .where('indicator', '=', indicator)
    .$if(query.ok !== undefined, (qb) => qb.where('ok', '=', query.ok!))
  const [items, count] = await Promise.all([
    base.select(['objectType', 'objectId', 'label', 'day', 'ok', 'amount', 'detail']).orderBy('id').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: items.map((e) => ({ ...e, day: e.day ? String(e.day).slice(0, 10) : null, amount: num(e.amount) })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  }
}
