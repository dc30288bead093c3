import { CITY_REGION, regionName } from '../../../../common/regions.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { PARAMETERS, type ParameterKey, isParameterKey, numberParameter } from '../../platform/config/parameters.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { fieldError, notFound } from '../../platform/http/errors.ts'

async function present(db: Executor, key: ParameterKey, tenant = '') {
  const row = await db
    .selectFrom('parameters as p')
    .leftJoin('users as u', 'u.id', 'p.updatedBy')
    .select(['p.updatedAt', 'u.name as updatedByName'])
    .where('p.key', '=', key)
    .where('p.tenant', '=', tenant)
    .executeTakeFirst()
  const { label, description, allowed } = PARAMETERS[key]
  return {
    key,
    label,
    description,
    regionCode: tenant || null,
    value: await numberParameter(db, key, tenant),
    default: PARAMETERS[key].default,
    allowed: [...allowed],
    updatedAt: row ? new Date(row.updatedAt) : null,
    updatedByName: row?.updatedByName ?? null,
  }
}

export async function listParameters(ctx: Ctx, regionCode?: string) {
  const tenant = tenantOf(regionCode)
  const items = []
  for (const key of Object.keys(PARAMETERS) as ParameterKey[]) items.push(await present(ctx.db, key, tenant))
  return { items }
}

/** '' for the city-wide values (the city itself or no region given), a county's code for its own. */
function tenantOf(regionCode: string | undefined) {
  if (regionCode === undefined || regionCode === CITY_REGION.code) return ''
  if (!regionName(regionCode)) throw fieldError('regionCode', '区划代码不是本市或其区县')
  return regionCode
}

export async function updateParameter(ctx: Ctx, key: string, { value, reason }: { value: number; reason: string }, regionCode?: string) {
  if (!isParameterKey(key)) throw notFound('参数')
  const tenant = tenantOf(regionCode)
  const { allowed, label } = PARAMETERS[key]
  if (!(allowed as readonly number[]).includes(value)) throw fieldError('value', `「${label}」只能取 ${allowed.join('、')}`)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await numberParameter(trx, key, tenant)
    await trx
      .insertInto('parameters')
      .values({ key, tenant, value: JSON.stringify(value), updatedBy: ctx.actor.userId, updatedAt: ctx.now() })
      .onConflict((oc) => oc.columns(['key', 'tenant']).doUpdateSet({ value: JSON.stringify(value), updatedBy: ctx.actor.userId, updatedAt: ctx.now() }))
      .execute()
    await recordAudit(trx, ctx, {
      action: 'parameter.update',
      objectType: 'parameter',
      objectId: key,
      detail: { before, after: value, reason, regionCode: tenant || null },
    })
    return present(trx, key, tenant)
  })
}
