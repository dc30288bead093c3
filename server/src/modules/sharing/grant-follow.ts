import { sql } from 'kysely'
import { appendAudit } from '../../platform/audit/chain.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { workdayDeadline } from '../../platform/calendar/working-days.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Db, Trx } from '../../platform/db/database.ts'
import type { GrantEventKind, StoredItem } from '../../platform/db/schema.ts'
import type { PublicationChange } from '../catalog/index.ts'
import { grantsChanged } from './grant-signal.ts'
import type { GrantRow } from './queries.ts'
import { SHARE_TYPE } from '../../../../common/catalog.ts'

/**
 * Grants follow the catalog (SPEC §7.2 "Effect of a change on live grants"). Runs inside the
 * publishing transaction, so the catalog change and its effect on every grant commit together:
 * - an item removed, or made 不予共享, is dropped from the grant at once;
 * - an item made more restrictive (无条件 → 有条件) opens a reconfirmation for the provider, due in
 *   10 working days (the provider's reply clock, SPEC §7.1); unconfirmed items are then suspended;
 * - a withdrawn entry suspends its active grants.
 * Each effect is a grant event the consumer sees on the grant, and an audit record.
 */
export async function followPublication(trx: Trx, ctx: Ctx, change: PublicationChange) {
  const grants = await trx
    .selectFrom('grants')
    .selectAll()
    .where('resourceId', '=', change.resourceId)
    .where('status', 'in', ['active', 'suspended'])
    .orderBy('id')
    .forUpdate()
    .execute()
  if (change.kind === 'withdrawn') {
    for (const grant of grants.filter((g) => g.status === 'active')) await suspendForWithdrawal(trx, ctx, grant, change)
    return
  }
  const items = new Map(change.items.map((item) => [item.id, item]))
  const before = new Map((change.previousItems ?? []).map((item) => [item.id, item]))
  for (const grant of grants) {
    const dropped = grant.itemIds.filter((id) => (items.get(id)?.shareType ?? 3) === 3)
    const tightened = grant.itemIds.filter(
      (id) => items.get(id)?.shareType === SHARE_TYPE.conditional && before.get(id)?.shareType === SHARE_TYPE.unconditional,
    )
    if (dropped.length > 0) await dropItems(trx, ctx, grant, dropped, change.version, before)
    if (tightened.length > 0) await openReconfirmation(trx, ctx, grant, tightened, change.version, items)
  }
}

const names = (ids: readonly string[], items: ReadonlyMap<string, StoredItem>) => ids.map((id) => `「${items.get(id)?.name ?? id}」`).join('')

async function insertGrantEvent(
  trx: Trx,
  ctx: Ctx,
  grantId: string,
  kind: GrantEventKind,
  version: number | null,
  itemIds: readonly string[],
  text: string,
  actorId: string | null = ctx.actor.userId,
) {
  await trx
    .insertInto('grantEvents')
    .values({ grantId, at: ctx.now(), kind, resourceVersion: version, itemIds: [...itemIds], text, actorId })
    .execute()
}

async function suspendForWithdrawal(trx: Trx, ctx: Ctx, grant: GrantRow, change: Extract<PublicationChange, { kind: 'withdrawn' }>) {
  const reason = `目录已下架：${change.reason}`
  await trx
    .updateTable('grants')
    .set({ status: 'suspended', statusReason: reason, statusChangedAt: ctx.now(), statusChangedBy: ctx.actor.userId, updatedAt: sql`now()` })
    .where('id', '=', grant.id)
    .execute()
  await trx.updateTable('grantReconfirmations').set({ status: 'superseded' }).where('grantId', '=', grant.id).where('status', '=', 'open').execute()
  await insertGrantEvent(trx, ctx, grant.id, 'entry_withdrawn', change.version, [], `提供方已下架该目录，授权已暂停（${change.reason}）`)
  await recordAudit(trx, ctx, {
    action: 'sharing.grant.suspend',
    objectType: 'grant',
    objectId: grant.id,
    grantId: grant.id,
    detail: { reason, cause: 'entry_withdrawn', from: grant.status, to: 'suspended' },
  })
}

/** Items the catalog no longer shares leave the grant; a grant left with none is suspended. */
async function dropItems(trx: Trx, ctx: Ctx, grant: GrantRow, dropped: readonly string[], version: number, before: ReadonlyMap<string, StoredItem>) {
  const itemIds = grant.itemIds.filter((id) => !dropped.includes(id))
  const masking = Object.fromEntries(Object.entries(grant.masking).filter(([id]) => itemIds.includes(id)))
  const emptied = itemIds.length === 0 && grant.status === 'active'
  await trx
    .updateTable('grants')
    .set({
      itemIds,
      masking: JSON.stringify(masking),
      suspendedItemIds: grant.suspendedItemIds.filter((id) => itemIds.includes(id)),
      ...(emptied
        ? { status: 'suspended' as const, statusReason: '目录变更后已无可共享的授权信息项', statusChangedAt: ctx.now(), statusChangedBy: ctx.actor.userId }
        : {}),
      updatedAt: sql`now()`,
    })
    .where('id', '=', grant.id)
    .execute()
  const text = `目录第 ${version} 版删除了信息项或将其改为不予共享，以下信息项已停止提供：${names(dropped, before)}${emptied ? '；授权已无可共享的信息项，已暂停' : ''}`
  await insertGrantEvent(trx, ctx, grant.id, 'items_dropped', version, dropped, text)
  await recordAudit(trx, ctx, {
    action: 'sharing.grant.follow-catalog',
    objectType: 'grant',
    objectId: grant.id,
    grantId: grant.id,
    detail: { version, dropped: [...dropped], emptied },
  })
}

/** An open reconfirmation of the grant is replaced by one covering its items and the newly tightened ones. */
async function openReconfirmation(trx: Trx, ctx: Ctx, grant: GrantRow, tightened: readonly string[], version: number, items: ReadonlyMap<string, StoredItem>) {
  const open = await trx
    .selectFrom('grantReconfirmations')
    .select(['id', 'itemIds'])
    .where('grantId', '=', grant.id)
    .where('status', '=', 'open')
    .forUpdate()
    .execute()
  const itemIds = [...new Set([...open.flatMap((r) => r.itemIds), ...tightened])].filter((id) => items.get(id)?.shareType === SHARE_TYPE.conditional)
  if (open.length > 0)
    await trx
      .updateTable('grantReconfirmations')
      .set({ status: 'superseded' })
      .where(
        'id',
        'in',
        open.map((r) => r.id),
      )
      .execute()
  const { dueDate, dueAt } = await workdayDeadline(trx, ctx.now(), await numberParameter(trx, 'sharing.providerReplyWorkdays'))
  const { id } = await trx
    .insertInto('grantReconfirmations')
    .values({ grantId: grant.id, providerOrgId: grant.providerOrgId, resourceVersion: version, itemIds, dueDate, dueAt, status: 'open' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const text = `目录第 ${version} 版将信息项${names(tightened, items)}由无条件共享改为有条件共享；提供方须在 ${dueDate} 前重新确认，逾期未确认的信息项将暂停提供`
  await insertGrantEvent(trx, ctx, grant.id, 'reconfirmation_opened', version, tightened, text)
  await recordAudit(trx, ctx, {
    action: 'sharing.grant.reconfirmation-open',
    objectType: 'grant_reconfirmation',
    objectId: id,
    grantId: grant.id,
    detail: { version, items: itemIds, dueDate },
  })
}

/**
 * The provider reconfirms the grant's items: those of its open reconfirmation keep flowing, and items
 * suspended after a lapsed one resume. False when there is nothing to reconfirm.
 */
export async function reconfirmItems(trx: Trx, ctx: Ctx, grant: GrantRow, comment: string | null) {
  const open = await trx
    .selectFrom('grantReconfirmations')
    .selectAll()
    .where('grantId', '=', grant.id)
    .where('status', '=', 'open')
    .forUpdate()
    .executeTakeFirst()
  if (!open && grant.suspendedItemIds.length === 0) return false
  if (open)
    await trx
      .updateTable('grantReconfirmations')
      .set({ status: 'confirmed', decidedBy: ctx.actor.userId, decidedAt: ctx.now() })
      .where('id', '=', open.id)
      .execute()
  if (grant.suspendedItemIds.length > 0)
    await trx.updateTable('grants').set({ suspendedItemIds: [], updatedAt: sql`now()` }).where('id', '=', grant.id).execute()
  const itemIds = [...new Set([...(open?.itemIds ?? []), ...grant.suspendedItemIds])]
  await insertGrantEvent(
    trx,
    ctx,
    grant.id,
    'reconfirmed',
    open?.resourceVersion ?? null,
    itemIds,
    `提供方已重新确认，相关信息项继续提供${comment ? `：${comment}` : ''}`,
  )
  await recordAudit(trx, ctx, {
    action: 'sharing.grant.reconfirm',
    objectType: 'grant',
    objectId: grant.id,
    grantId: grant.id,
    detail: { reconfirmationId: open?.id ?? null, items: itemIds },
  })
  return true
}

const BATCH = 100
const systemSource = (at: Date) => ({ actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at })

/**
 * Job: a reconfirmation not given by its due time suspends its items on the grant (the grant's other
 * items keep flowing). Claimed with FOR UPDATE SKIP LOCKED, so several processes suspend each once.
 */
export async function lapseReconfirmations(db: Db, now: Date): Promise<number> {
  const lapsed = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('grantReconfirmations')
      .selectAll()
      .where('status', '=', 'open')
      .where('dueAt', '<', now)
      .orderBy('dueAt')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute()
    for (const reconfirmation of due) {
      const grant = await trx
        .selectFrom('grants')
        .select(['id', 'itemIds', 'suspendedItemIds'])
        .where('id', '=', reconfirmation.grantId)
        .forUpdate()
        .executeTakeFirstOrThrow()
      const suspended = [...new Set([...grant.suspendedItemIds, ...reconfirmation.itemIds.filter((id) => grant.itemIds.includes(id))])]
      await trx.updateTable('grants').set({ suspendedItemIds: suspended, updatedAt: sql`now()` }).where('id', '=', grant.id).execute()
      await trx.updateTable('grantReconfirmations').set({ status: 'lapsed', decidedAt: now }).where('id', '=', reconfirmation.id).execute()
      await trx
        .insertInto('grantEvents')
        .values({
          grantId: grant.id,
          at: now,
          kind: 'items_suspended',
          resourceVersion: reconfirmation.resourceVersion,
          itemIds: reconfirmation.itemIds,
          text: `提供方未在 ${reconfirmation.dueDate} 前重新确认，相关信息项已暂停提供`,
          actorId: null,
        })
        .execute()
      await appendAudit(trx, systemSource(now), {
        action: 'sharing.grant.reconfirmation-lapse',
        objectType: 'grant',
        objectId: grant.id,
        grantId: grant.id,
        detail: { reconfirmationId: reconfirmation.id, items: reconfirmation.itemIds },
      })
    }
    return due.length
  })
  if (lapsed > 0) grantsChanged()
  return lapsed
}
