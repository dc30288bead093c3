import { sql } from 'kysely'
import type { z } from 'zod'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { conflict, fieldError, invalidState, notFound } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { notify } from '../../platform/notify/index.ts'
import type { CaseDecisionBody, CaseQuery, ElementBody } from './schemas.ts'

/** The registry of data elements (一数一源) and the authority's worklist of duplicate collections. */

const elements = (db: Executor) =>
  db
    .selectFrom('dataElements as e')
    .innerJoin('orgs as o', 'o.id', 'e.sourceOrgId')
    .select(['e.id', 'e.name', 'e.standardRef', 'e.aliases', 'e.sourceOrgId', 'e.note', 'o.name as sourceOrgName'])
    .select((eb) =>
      eb
        .selectFrom('elementCases as c')
        .whereRef('c.elementId', '=', 'e.id')
        .where('c.status', '=', 'open')
        .select(eb.fn.countAll<number>().as('n'))
        .as('openCases'),
    )

const present = <T extends { openCases: number | string | null }>(row: T) => ({ ...row, openCases: Number(row.openCases ?? 0) })

export async function listElements(ctx: Ctx) {
  return (await elements(ctx.db).orderBy('e.name').execute()).map(present)
}

async function checkBody(db: Executor, body: z.infer<typeof ElementBody>, exceptId?: string) {
  const org = await db.selectFrom('orgs').select('id').where('id', '=', body.sourceOrgId).where('kind', '!=', 'region').executeTakeFirst()
  if (!org) throw fieldError('sourceOrgId', '数源部门不存在')
  const same = await db
    .selectFrom('dataElements')
    .select('name')
    .where((eb) =>
      eb.or([eb('name', '=', body.name), eb(sql<string>`${body.name}`, '=', eb.fn.any('aliases')), ...body.aliases.map((alias) => eb('name', '=', alias))]),
    )
    .$if(!!exceptId, (qb) => qb.where('id', '!=', exceptId!))
    .executeTakeFirst()
  if (same) throw conflict(`数据元「${same.name}」已登记，一个数据元只能有一个数源部门`)
}

export async function createElement(ctx: Ctx, body: z.infer<typeof ElementBody>) {
  authorize(ctx.actor, 'elements.element.manage')
  return ctx.db.transaction().execute(async (trx) => {
    await checkBody(trx, body)
    const { id } = await trx
      .insertInto('dataElements')
      .values({
        name: body.name,
        standardRef: body.standardRef || null,
        aliases: body.aliases,
        sourceOrgId: body.sourceOrgId,
        note: body.note ?? null,
        createdBy: ctx.actor.userId,
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, {
      action: 'elements.element.create',
      objectType: 'data_element',
      objectId: id,
      detail: { name: body.name, sourceOrgId: body.sourceOrgId },
    })
    return present((await elements(trx).where('e.id', '=', id).executeTakeFirst())!)
  })
}

export async function updateElement(ctx: Ctx, id: string, body: z.infer<typeof ElementBody>) {
  authorize(ctx.actor, 'elements.element.manage')
  return ctx.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('dataElements').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    if (!before) throw notFound('数据元')
    await checkBody(trx, body, id)
    await trx
      .updateTable('dataElements')
      .set({
        name: body.name,
        standardRef: body.standardRef || null,
        aliases: body.aliases,
        sourceOrgId: body.sourceOrgId,
        note: body.note ?? null,
        updatedAt: ctx.now(),
      })
      .where('id', '=', id)
      .execute()
    await recordAudit(trx, ctx, {
      action: 'elements.element.update',
      objectType: 'data_element',
      objectId: id,
      detail: { sourceOrgBefore: before.sourceOrgId, sourceOrgAfter: body.sourceOrgId },
    })
    return present((await elements(trx).where('e.id', '=', id).executeTakeFirst())!)
  })
}

const cases = (db: Executor) =>
  db
    .selectFrom('elementCases as c')
    .innerJoin('dataElements as e', 'e.id', 'c.elementId')
    .innerJoin('orgs as s', 's.id', 'e.sourceOrgId')
    .innerJoin('orgs as o', 'o.id', 'c.orgId')
    .leftJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'c.resourceId').on('v.isLatest', '=', true))
    .selectAll('c')
    .select(['e.name as elementName', 'e.standardRef', 's.name as sourceOrgName', 'o.name as orgName', 'v.name as resourceName'])

const presentCase = <T extends { decidedAt: Date | string | null; createdAt: Date | string }>(row: T) => ({
  ...row,
  decidedAt: row.decidedAt ? new Date(row.decidedAt) : null,
  createdAt: new Date(row.createdAt),
})

export async function listCases(ctx: Ctx, query: z.infer<typeof CaseQuery>) {
  const base = cases(ctx.db)
    .where(scopeWhere(scopeOf(ctx.actor, 'elements.case.list'), { orgId: sql.ref('c.orgId') }))
    .$if(!!query.status, (qb) => qb.where('c.status', '=', query.status!))
  const [rows, total] = await Promise.all([
    base.orderBy('c.createdAt', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(presentCase), total: Number(total.n), page: query.page, pageSize: query.pageSize }
}

/** The authority settles a case: the department requests the data instead, or the collection is a justified exception. */
export async function decideCase(ctx: Ctx, id: string, body: z.infer<typeof CaseDecisionBody>) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = authorizeLoaded(ctx.actor, 'elements.case.decide', await cases(trx).where('c.id', '=', id).forUpdate('c').executeTakeFirst(), '重复采集事项')
    if (row.status !== 'open') throw invalidState('该事项已处理')
    await trx
      .updateTable('elementCases')
      .set({ status: body.decision, note: body.note ?? null, decidedBy: ctx.actor.userId, decidedAt: ctx.now() })
      .where('id', '=', id)
      .execute()
    await recordAudit(trx, ctx, { action: 'elements.case.decide', objectType: 'element_case', objectId: id, detail: { decision: body.decision } })
    const title =
      body.decision === 'request_instead'
        ? `一数一源：「${row.itemName}」请向${row.sourceOrgName}申请共享，不再自行采集`
        : `一数一源：「${row.itemName}」确认为合理例外`
    await notify(trx, { orgId: row.orgId, kind: 'element.decided', title, objectType: 'resource', objectId: row.resourceId })
    return presentCase((await cases(trx).where('c.id', '=', id).executeTakeFirst())!)
  })
}
