import { INDICATORS, type IndicatorId } from '../../../../common/evaluation.ts'
import { REGION_CODES, regionName } from '../../../../common/regions.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { fieldError } from '../../platform/http/errors.ts'
import type { TenantSettings } from './scoring.ts'

/** '' is the city-wide setting every county inherits; a county's own row overrides it (SPEC §9: parameters per tenant). */
export const CITY_WIDE = ''

const defaults = (): TenantSettings => Object.fromEntries(INDICATORS.map((i) => [i.id, { weight: i.weight, threshold: i.threshold }])) as TenantSettings

/** Effective weights and thresholds of every tenant: code defaults, then the city-wide row, then the tenant's own. */
export async function loadSettings(db: Executor): Promise<Record<string, TenantSettings>> {
  const rows = await db.selectFrom('evaluationSettings').select(['tenant', 'indicator', 'weight', 'threshold']).execute()
  const apply = (into: TenantSettings, tenant: string) => {
    for (const row of rows.filter((r) => r.tenant === tenant))
      into[row.indicator as IndicatorId] = { weight: Number(row.weight), threshold: Number(row.threshold) }
    return into
  }
  const city = apply(defaults(), CITY_WIDE)
  return Object.fromEntries(REGION_CODES.map((code) => [code, apply(structuredClone(city), code)]))
}

export async function listIndicators(ctx: Ctx, regionCode: string | undefined) {
  if (regionCode !== undefined && !regionName(regionCode)) throw fieldError('regionCode', '区划代码不是本市或其区县')
  const settings = (await loadSettings(ctx.db))[regionCode ?? REGION_CODES[0]!]!
  return {
    items: INDICATORS.map((i) => ({
      id: i.id,
      name: i.name,
      group: i.group,
      formula: i.formula,
      weight: settings[i.id].weight,
      threshold: settings[i.id].threshold,
    })),
  }
}

/** Sets one indicator's weight and threshold for the city (regionCode absent) or one county. */
export async function updateIndicatorSetting(ctx: Ctx, id: IndicatorId, body: { regionCode?: string; weight: number; threshold: number }) {
  if (body.regionCode !== undefined && !regionName(body.regionCode)) throw fieldError('regionCode', '区划代码不是本市或其区县')
  const tenant = body.regionCode ?? CITY_WIDE
  return ctx.db.transaction().execute(async (trx) => {
    const before = (await loadSettings(trx))[body.regionCode ?? REGION_CODES[0]!]![id]
    const values = { weight: body.weight, threshold: body.threshold, updatedBy: ctx.actor.userId, updatedAt: ctx.now() }
    await trx
      .insertInto('evaluationSettings')
      .values({ tenant, indicator: id, ...values })
      .onConflict((oc) => oc.columns(['tenant', 'indicator']).doUpdateSet(values))
      .execute()
    await recordAudit(trx, ctx, {
      action: 'evaluation.settings.update',
      objectType: 'evaluation_indicator',
      objectId: id,
      detail: { tenant, before, after: { weight: body.weight, threshold: body.threshold } },
    })
    return { id, regionCode: body.regionCode ?? null, weight: body.weight, threshold: body.threshold }
  })
}
