import { recordAudit } from '../../platform/audit/record.ts'
import { PARAMETERS, type ParameterKey, isParameterKey, numberParameter } from '../../platform/config/parameters.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { fieldError, notFound } from '../../platform/http/errors.ts'

async function present(db: Executor, key: ParameterKey) {
  const row = await db
    .selectFrom('parameters as p')
    .leftJoin('users as u', 'u.id', 'p.updatedBy')
    .select(['p.updatedAt', 'u.name as updatedByName'])
    .where('p.key', '=', key)
    .where('p.tenant', '=', '')
    .executeTakeFirst()
  const { label, description, allowed } = PARAMETERS[key]
  return {
    key,
    label,
    description,
    value: await numberParameter(db, key),
    default: PARAMETERS[key].default,
    allowed: [...allowed],
    updatedAt: row ? new Date(row.updatedAt) : null,
    updatedByName: row?.updatedByName ?? null,
  }
}

export async function listParameters(ctx: Ctx) {
  const items = []
  for (const key of Object.keys(PARAMETERS) as ParameterKey[]) items.push(await present(ctx.db, key))
  return { items }
}

export async function updateParameter(ctx: Ctx, key: string, value: number) {
  if (!isParameterKey(key)) throw notFound('参数')
  const { allowed, label } = PARAMETERS[key]
  if (!(allowed as readonly number[]).includes(value)) throw fieldError('value', `「${label}」只能取 ${allowed.join('、')}`)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await numberParameter(trx, key)
    await trx
      .insertInto('parameters')
      .values({ key, value: JSON.stringify(value), updatedBy: ctx.actor.userId, updatedAt: ctx.now() })
      .onConflict((oc) => oc.columns(['key', 'tenant']).doUpdateSet({ value: JSON.stringify(value), updatedBy: ctx.actor.userId, updatedAt: ctx.now() }))
      .execute()
    await recordAudit(trx, ctx, { action: 'parameter.update', objectType: 'parameter', objectId: key, detail: { before, after: value } })
    return present(trx, key)
  })
}
