import { recordAudit } from '../../platform/audit/record.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { orgsChanged } from './org-signal.ts'
import { findOrg, listOrgs } from './queries.ts'
import type { CreateOrgBody, OrgListQuery, UpdateOrgBody } from './schemas.ts'

export async function listOrgsFor(ctx: Ctx, query: OrgListQuery) {
  return { ...(await listOrgs(ctx.db, query)), page: query.page, pageSize: query.pageSize }
}

export async function getOrg(ctx: Ctx, id: string) {
  const org = await findOrg(ctx.db, id)
  if (!org) throw notFound('单位')
  return org
}

/**
 * Inserts an organisation after the checks every caller needs (parent and region, unique name and code);
 * the caller owns the transaction and its audit event (the API records the user, the CLI the operator).
 */
export async function insertOrg(trx: Executor, input: CreateOrgBody): Promise<string> {
  if (input.parentId) {
    const parent = await findOrg(trx, input.parentId)
    if (!parent) throw fieldError('parentId', '上级单位不存在')
    if (parent.regionCode !== input.regionCode) throw fieldError('regionCode', '行政区划须与上级单位一致')
  }
  const clash = await trx
    .selectFrom('orgs')
    .select(['name', 'code'])
    .where((eb) => eb.or([eb('name', '=', input.name), ...(input.code ? [eb('code', '=', input.code)] : [])]))
    .executeTakeFirst()
  if (clash) throw conflict(clash.name === input.name ? `单位名称「${input.name}」已存在` : `统一社会信用代码 ${input.code} 已被其他单位使用`)
  const { id } = await trx
    .insertInto('orgs')
    .values({
      name: input.name,
      shortName: input.shortName ?? null,
      code: input.code ?? null,
      regionCode: input.regionCode,
      parentId: input.parentId ?? null,
      kind: input.kind,
      orgType: input.orgType,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function createOrg(ctx: Ctx, input: CreateOrgBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertOrg(trx, input)
    await recordAudit(trx, ctx, { action: 'orgs.org.create', objectType: 'org', objectId: id })
    return (await findOrg(trx, id))!
  })
}

export async function updateOrg(ctx: Ctx, id: string, input: UpdateOrgBody) {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('orgs').select('id').where('id', '=', id).forUpdate().executeTakeFirst()
    if (!org) throw notFound('单位')
    if (input.name) {
      const clash = await trx.selectFrom('orgs').select('id').where('name', '=', input.name).where('id', '<>', id).executeTakeFirst()
      if (clash) throw conflict(`单位名称「${input.name}」已存在`)
    }
    await trx.updateTable('orgs').set(input).where('id', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'orgs.org.update', objectType: 'org', objectId: id, detail: { fields: Object.keys(input) } })
    return (await findOrg(trx, id))!
  })
  // A disabled organisation's apps and tokens stop at once (the gateway drops what it cached).
  orgsChanged()
  return updated
}
