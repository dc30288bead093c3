import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import { sm3Hex } from '../../platform/crypto/sm3.ts'
import type { Db, Executor, Trx } from '../../platform/db/database.ts'
import type { ObjectionStatus, ObjectionsTable } from '../../platform/db/schema.ts'
import type { Updateable } from 'kysely'
import { scopeWhere } from '../../platform/db/scope.ts'
import { fieldError, invalidState, notFound } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { notify, notifyAuthority } from '../../platform/notify/index.ts'
import { nextNumber, stageClock, stageDeadline, systemSource } from '../../platform/workflow/clock.ts'
import { stageState, stageTimeline } from '../../platform/workflow/stages.ts'
import { appendAudit } from '../../platform/audit/chain.ts'
import type { Action } from '../../platform/auth/policy.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { insertCase } from '../sharing/index.ts'
import { objectionFlagsChanged } from './flags.ts'
import { EVIDENCE_LIMITS, OBJECTION_TYPE_LABELS, R11_RULE, type RaiseBody } from './schemas.ts'
import type { z } from 'zod'
import type { AcceptBody, ListQuery, VerifyBody } from './schemas.ts'

/**
 * Data objections (数据异议/纠错, SPEC §6.8, §7.8, R-11): a department that received data questions
 * records; the authority accepts (the records show 有异议) or dismisses within 2 WD; the provider
 * verifies within 5 WD and corrects at the source (a new batch clears the flag) or explains; the raiser
 * may take an explanation to coordination.
 */

export const STATUS_LABELS: Record<ObjectionStatus, string> = {
  raised: '待受理',
  dismissed: '已驳回',
  verifying: '核实中',
  correcting: '更正中',
  resolved: '已更正',
  explained: '已说明（数据无误）',
  coordination: '协调中',
}

const withNames = (db: Executor) =>
  db
    .selectFrom('objections as o')
    .innerJoin('orgs as p', 'p.id', 'o.providerOrgId')
    .innerJoin('orgs as r', 'r.id', 'o.raiserOrgId')
    .innerJoin('users as u', 'u.id', 'o.raisedBy')
    .leftJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'o.resourceId').on('v.isLatest', '=', true))
    .selectAll('o')
    .select(['p.name as providerName', 'r.name as raiserOrgName', 'u.name as raisedByName', 'v.name as resourceName', 'v.items as items'])

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof withNames>['executeTakeFirst']>>>

function present(row: Row) {
  const names = new Map((row.items ?? []).map((item) => [item.id, item.name]))
  const { items: _items, ...rest } = row
  return {
    ...rest,
    resourceName: row.resourceName ?? '',
    itemNames: row.itemIds.map((id) => names.get(id) ?? '（已删除的信息项）'),
    typeLabel: OBJECTION_TYPE_LABELS[row.type],
    ...stageState(row, STATUS_LABELS[row.status]),
    createdAt: new Date(row.createdAt),
    rule: R11_RULE,
  }
}

async function load(db: Executor, ctx: Ctx, id: string, action: Action, lock = false) {
  const row = await withNames(db)
    .where('o.id', '=', id)
    .$if(lock, (qb) => qb.forUpdate('o'))
    .executeTakeFirst()
  return authorizeLoaded(ctx.actor, action, row, '数据异议')
}

async function detail(db: Executor, ctx: Ctx, id: string) {
  const row = await load(db, ctx, id, 'objections.objection.read')
  const [evidence, events] = await Promise.all([
    db.selectFrom('objectionEvidence').select(['id', 'fileName', 'sizeBytes']).where('objectionId', '=', id).orderBy('createdAt').execute(),
    stageTimeline(db, 'objections', id),
  ])
  return { ...present(row), evidence, events }
}

async function transition(
  trx: Executor,
  ctx: Ctx | null,
  id: string,
  from: ObjectionStatus | null,
  to: ObjectionStatus,
  action: string,
  comment: string | null,
  at: Date,
) {
  await trx
    .insertInto('objectionEvents')
    .values({ objectionId: id, at, actorId: ctx?.actor.userId ?? null, action, fromStatus: from, toStatus: to, comment })
    .execute()
}

export async function raiseObjection(ctx: Ctx, body: RaiseBody) {
  authorize(ctx.actor, 'objections.objection.create')
  return ctx.db.transaction().execute(async (trx) => {
    // Only data the department actually received (under a grant, whatever its state now) can be questioned.
    const grant = await trx
      .selectFrom('grants')
      .select(['id', 'itemIds'])
      .where('consumerOrgId', '=', ctx.actor.orgId)
      .where('resourceId', '=', body.resourceId)
      .orderBy('createdAt', 'desc')
      .executeTakeFirst()
    if (!grant) throw fieldError('resourceId', '本单位未获得该资源的数据，不能提出异议')
    const entry = await findPublishedEntry(trx, body.resourceId)
    if (!entry) throw fieldError('resourceId', '该资源目录已下架，不能提出异议')
    const stray = body.itemIds.findIndex((itemId) => !grant.itemIds.includes(itemId))
    if (stray >= 0) throw fieldError(`itemIds[${stray}]`, '信息项不在本单位获得的授权范围内')
    if (new Set(body.recordKeys).size !== body.recordKeys.length) throw fieldError('recordKeys', '记录主键重复')
    const files = body.evidence.map((file, index) => {
      const content = Buffer.from(file.contentBase64, 'base64')
      if (content.length === 0 || content.length > EVIDENCE_LIMITS.bytes) throw fieldError(`evidence[${index}]`, '证明材料为空或超过 1 MB')
      return { ...file, content }
    })
    const now = ctx.now()
    const deadline = await stageDeadline(trx, now, 'objections.acceptWorkdays')
    const { id } = await trx
      .insertInto('objections')
      .values({
        no: await nextNumber(trx, 'objections', 'YY', now),
        resourceId: entry.resourceId,
        providerOrgId: entry.providerOrgId,
        raiserOrgId: ctx.actor.orgId,
        raisedBy: ctx.actor.userId,
        grantId: grant.id,
        itemIds: body.itemIds,
        recordKeys: body.recordKeys,
        type: body.type,
        description: body.description,
        status: 'raised',
        ...stageClock('accept', deadline),
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const file of files) {
      await trx
        .insertInto('objectionEvidence')
        .values({
          objectionId: id,
          fileName: file.fileName,
          contentType: file.contentType,
          sizeBytes: file.content.length,
          sm3: sm3Hex(file.content),
          content: file.content,
        })
        .execute()
    }
    await transition(trx, ctx, id, null, 'raised', 'raise', body.description, now)
    await recordAudit(trx, ctx, {
      action: 'objections.objection.create',
      objectType: 'objection',
      objectId: id,
      detail: { resourceId: entry.resourceId, records: body.recordKeys.length, evidence: files.length },
    })
    await notifyAuthority(trx, {
      kind: 'objection.raised',
      title: `数据异议待受理：${entry.name}`,
      objectType: 'objection',
      objectId: id,
      dueAt: deadline.dueAt,
    })
    return detail(trx, ctx, id)
  })
}

/** The authority's acceptance check (≤ 2 WD): accepted objections flag their records and start the provider's clock. */
export async function acceptObjection(ctx: Ctx, id: string, body: z.infer<typeof AcceptBody>) {
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const row = await load(trx, ctx, id, 'objections.objection.accept', true)
      if (row.status !== 'raised') throw invalidState('该异议已处理')
      const now = ctx.now()
      if (body.decision === 'dismiss') {
        await update(trx, id, { status: 'dismissed', response: body.comment!, ...stageClock(null, null) }, now)
        await transition(trx, ctx, id, 'raised', 'dismissed', 'dismiss', body.comment!, now)
        await notify(trx, {
          userId: row.raisedBy,
          kind: 'objection.dismissed',
          title: `数据异议未予受理：${row.resourceName}`,
          objectType: 'objection',
          objectId: id,
        })
      } else {
        const deadline = await stageDeadline(trx, now, 'objections.verifyWorkdays')
        // The verification's due time outlives its stage clock: M6 counts it after the stage closes.
        await update(trx, id, { status: 'verifying', flagged: true, verifyDueAt: deadline.dueAt, ...stageClock('verify', deadline) }, now)
        await trx
          .insertInto('objectionRecords')
          .values(row.recordKeys.map((recordKey) => ({ objectionId: id, resourceId: row.resourceId, recordKey })))
          .execute()
        await transition(trx, ctx, id, 'raised', 'verifying', 'accept', body.comment ?? null, now)
        await notify(trx, {
          orgId: row.providerOrgId,
          kind: 'objection.verify',
          title: `数据异议待核实：${row.resourceName}`,
          objectType: 'objection',
          objectId: id,
          dueAt: deadline.dueAt,
        })
        await notify(trx, {
          userId: row.raisedBy,
          kind: 'objection.accepted',
          title: `数据异议已受理，记录已标注「有异议」：${row.resourceName}`,
          objectType: 'objection',
          objectId: id,
        })
      }
      await recordAudit(trx, ctx, { action: 'objections.objection.accept', objectType: 'objection', objectId: id, detail: { decision: body.decision } })
      return detail(trx, ctx, id)
    })
    .finally(objectionFlagsChanged)
}

/** The provider's verification (≤ 5 WD): an error is corrected at the source; correct data is explained. */
export async function verifyObjection(ctx: Ctx, id: string, body: z.infer<typeof VerifyBody>) {
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const row = await load(trx, ctx, id, 'objections.objection.verify', true)
      if (row.status !== 'verifying') throw invalidState('该异议不在核实阶段')
      const now = ctx.now()
      if (body.outcome === 'confirm') {
        // The flag stays until the corrected data is on the platform (SPEC §7.8: fixed at source + republished).
        await update(trx, id, { status: 'correcting', response: body.comment, correctingAt: now, verifiedAt: now, ...stageClock(null, null) }, now)
        await transition(trx, ctx, id, 'verifying', 'correcting', 'confirm', body.comment, now)
      } else {
        await update(trx, id, { status: 'explained', flagged: false, response: body.comment, verifiedAt: now, ...stageClock(null, null) }, now)
        await transition(trx, ctx, id, 'verifying', 'explained', 'explain', body.comment, now)
        await notify(trx, {
          userId: row.raisedBy,
          kind: 'objection.explained',
          title: `提供部门说明数据无误（如有异议可提请协调）：${row.resourceName}`,
          objectType: 'objection',
          objectId: id,
        })
      }
      await recordAudit(trx, ctx, { action: 'objections.objection.verify', objectType: 'objection', objectId: id, detail: { outcome: body.outcome } })
      return detail(trx, ctx, id)
    })
    .finally(objectionFlagsChanged)
}

/**
 * The provider reports the correction done. A table mount must have a batch loaded since the error was
 * confirmed (the correction is at the source and reaches the platform as a new batch); an upstream API or
 * file is corrected where it lives.
 */
export async function markCorrected(ctx: Ctx, id: string, comment: string) {
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const row = await load(trx, ctx, id, 'objections.objection.verify', true)
      if (row.status !== 'correcting') throw invalidState('该异议不在更正阶段')
      const mount = await trx
        .selectFrom('mounts')
        .select(['id', 'activeBatchId'])
        .where('resourceId', '=', row.resourceId)
        .where('kind', '=', 'table')
        .executeTakeFirst()
      const batch = mount ? await newBatchSince(trx, mount.id, row.correctingAt!) : null
      if (mount && !batch) throw invalidState('请先在源头更正数据并重新挂接（上传新批次），新批次生效后异议标注自动撤销')
      await resolve(trx, ctx, row, batch, comment, ctx.now())
      await recordAudit(trx, ctx, {
        action: 'objections.objection.verify',
        objectType: 'objection',
        objectId: id,
        detail: { outcome: 'corrected', batchId: batch },
      })
      return detail(trx, ctx, id)
    })
    .finally(objectionFlagsChanged)
}

async function newBatchSince(trx: Executor, mountId: string, since: Date | string): Promise<string | null> {
  const batch = await trx
    .selectFrom('mountBatches as b')
    .innerJoin('mounts as m', 'm.activeBatchId', 'b.id')
    .select('b.id')
    .where('m.id', '=', mountId)
    .where('b.status', '=', 'active')
    .where('b.finishedAt', '>', new Date(since))
    .executeTakeFirst()
  return batch?.id ?? null
}

async function resolve(
  trx: Executor,
  ctx: Ctx | null,
  row: { id: string; raisedBy: string; resourceName: string | null },
  batchId: string | null,
  comment: string,
  now: Date,
) {
  await update(trx, row.id, { status: 'resolved', flagged: false, correctionBatchId: batchId }, now)
  await transition(trx, ctx, row.id, 'correcting', 'resolved', 'resolve', comment, now)
  await notify(trx, {
    userId: row.raisedBy,
    kind: 'objection.resolved',
    title: `数据已在源头更正，「有异议」标注已撤销：${row.resourceName ?? ''}`,
    objectType: 'objection',
    objectId: row.id,
  })
}

/**
 * SPEC §7.8: a corrected batch clears the flag. Objections being corrected whose entry has had a new
 * active batch since the error was confirmed are resolved and their raisers told (a background task).
 */
export async function resolveCorrectedObjections(db: Db, now: Date): Promise<number> {
  return db
    .transaction()
    .execute(async (trx) => {
      const rows = await sql<{ id: string; raisedBy: string; resourceName: string | null; batchId: string }>`
      select o.id, o.raised_by, v.name as resource_name, b.id as batch_id
        from objections o
        join mounts m on m.resource_id = o.resource_id and m.kind = 'table'
        join mount_batches b on b.id = m.active_batch_id and b.finished_at > o.correcting_at
        left join resource_versions v on v.resource_id = o.resource_id and v.is_latest
       where o.status = 'correcting'
       order by o.correcting_at limit 100
       for update of o skip locked`.execute(trx)
      for (const row of rows.rows) {
        await resolve(trx, null, row, row.batchId, '提供部门已在源头更正并挂接新批次数据', now)
        await appendAudit(trx, systemSource(now), {
          action: 'objections.objection.resolve',
          objectType: 'objection',
          objectId: row.id,
          detail: { batchId: row.batchId },
        })
      }
      return rows.rows.length
    })
    .finally(objectionFlagsChanged)
}

/** The raiser takes the provider's explanation to coordination. */
export async function disputeObjection(ctx: Ctx, id: string, statement: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await load(trx, ctx, id, 'objections.objection.dispute', true)
    if (row.status !== 'explained') throw invalidState('只有提供部门已说明的异议可以提请协调')
    const now = ctx.now()
    const caseId = await insertCase(trx as Trx, ctx, {
      origin: 'objection_dispute',
      objectionId: id,
      resourceId: row.resourceId,
      applicantOrgId: row.raiserOrgId,
      providerOrgId: row.providerOrgId,
      statement,
    })
    await update(trx, id, { status: 'coordination', caseId }, now)
    await transition(trx, ctx, id, 'explained', 'coordination', 'dispute', statement, now)
    await recordAudit(trx, ctx, { action: 'objections.objection.dispute', objectType: 'objection', objectId: id, detail: { caseId } })
    return detail(trx, ctx, id)
  })
}

async function update(trx: Executor, id: string, changes: Updateable<ObjectionsTable>, now: Date) {
  await trx
    .updateTable('objections')
    .set({ ...changes, updatedAt: now })
    .where('id', '=', id)
    .execute()
}

export const getObjection = (ctx: Ctx, id: string) => detail(ctx.db, ctx, id)

export async function listObjections(ctx: Ctx, query: z.infer<typeof ListQuery>) {
  const visible = scopeWhere(scopeOf(ctx.actor, 'objections.objection.read'), {
    raiserOrgId: sql.ref('o.raiserOrgId'),
    providerOrgId: sql.ref('o.providerOrgId'),
  })
  const base = withNames(ctx.db)
    .where(visible)
    .$if(query.box === 'raised', (qb) => qb.where('o.raiserOrgId', '=', ctx.actor.orgId))
    .$if(query.box === 'received', (qb) => qb.where('o.providerOrgId', '=', ctx.actor.orgId))
    .$if(!!query.status, (qb) => qb.where('o.status', '=', query.status!))
  const [rows, total] = await Promise.all([
    base.orderBy('o.createdAt', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(present), total: Number(total.n), page: query.page, pageSize: query.pageSize }
}

export async function evidenceFile(ctx: Ctx, id: string, fileId: string) {
  await load(ctx.db, ctx, id, 'objections.objection.read')
  const file = await ctx.db.selectFrom('objectionEvidence').selectAll().where('id', '=', fileId).where('objectionId', '=', id).executeTakeFirst()
  if (!file) throw notFound('证明材料')
  await recordAudit(ctx.db, ctx, { action: 'objections.evidence.read', objectType: 'objection', objectId: id, detail: { fileId } })
  return file
}
