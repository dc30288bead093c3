import { sql } from 'kysely'
import type { Ctx } from '../../platform/context.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { MASKING_LABELS, type MaskingRule, defaultMaskingFor, maskValue } from '../../platform/masking/masking.ts'
import { pseudonymSecret } from '../../platform/masking/pseudonym-secret.ts'
import { authorizeLoaded } from '../../platform/auth/policy.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { SHARE_TYPE } from '../../../../common/catalog.ts'
import { findResourceVersion, findVisibleResource, visibleInZone } from '../catalog/index.ts'
import { findActiveTableMount, openSealedValue, sealerFor } from '../mounts/index.ts'

/** Rows a catalog reader sees before applying: enough to judge the data, never enough to use it. */
export const SAMPLE_ROWS = 5

const noSample = (message: string) => new AppError(409, 'NO_SAMPLE', message)

/**
 * Sample rows of a published 无条件共享 entry for the catalog page (SPEC §7.4 "a sample (masked) for 无条件
 * entries"): the first rows of its mounted table, every item masked by its default rule, sealed columns
 * decrypted first. The read is a data access, so it is audited like a gateway call.
 */
export async function readSample(ctx: Ctx, resourceId: string) {
  const entry = await findVisibleResource(ctx.db, resourceId, ctx.actor)
  // On the 外网 instance a 涉密 entry does not exist (SPEC §8.1), its sample included.
  if (!entry || !visibleInZone(ctx.config.networkZone, entry)) throw notFound('目录')
  if (!entry.isPublished || entry.shareType !== SHARE_TYPE.unconditional)
    throw noSample('只有已发布的无条件共享目录提供样例数据；有条件共享的数据请提交共享申请')
  const shown = entry.items.filter((item) => item.shareType === SHARE_TYPE.unconditional)
  const sample = await maskedSample(
    ctx,
    resourceId,
    shown.map((item) => ({ item, rule: defaultMaskingFor(item) })),
  )
  await recordAudit(ctx.db, ctx, { action: 'gateway.sample.read', objectType: 'resource', objectId: resourceId, detail: { rows: sample.rows.length } })
  return sample
}

/**
 * The sample rows of a submitted version for its reviewer (the authority): every item of that version
 * that has a mounted column, masked by its default rule, and 不予共享 items withheld. Allowed while the
 * entry has a version waiting for review only (policy `gateway.review-sample.read`).
 */
export async function readReviewSample(ctx: Ctx, resourceId: string) {
  const entry = await findVisibleResource(ctx.db, resourceId, ctx.actor)
  const visible = entry && visibleInZone(ctx.config.networkZone, entry) ? entry : undefined
  authorizeLoaded(ctx.actor, 'gateway.review-sample.read', visible, '目录', '只有待审核的目录可以查看挂接数据样例')
  const submitted = (await findResourceVersion(ctx.db, resourceId, visible!.latestVersion))!
  const items = submitted.items.map((item) => ({ item, rule: item.shareType === SHARE_TYPE.notShared ? ('suppress' as const) : defaultMaskingFor(item) }))
  const sample = await maskedSample(ctx, resourceId, items)
  await recordAudit(ctx.db, ctx, {
    action: 'gateway.review-sample.read',
    objectType: 'resource',
    objectId: resourceId,
    detail: { version: submitted.version, rows: sample.rows.length },
  })
  return { ...sample, version: submitted.version }
}

/** The first rows of an entry's mounted table for these items, sealed columns opened, each masked by its rule. */
async function maskedSample(ctx: Ctx, resourceId: string, items: { item: StoredItem; rule: MaskingRule }[]) {
  const mount = await findActiveTableMount(ctx.db, resourceId)
  if (!mount) throw noSample('该目录尚未挂接库表数据，暂无样例')
  const columnOf = new Map(mount.columns.map((column) => [column.itemId, column]))
  const shown = items
    .filter(({ item }) => columnOf.has(item.id))
    .map(({ item, rule }) => ({ item, rule, key: item.nameEn ?? item.name, column: columnOf.get(item.id)! }))
  // No column to read (no mounted item is shown) is an empty sample, not an empty select list.
  if (shown.length === 0) return { items: [], rows: [], lastDataTime: mount.lastDataTime }
  const { rows } = await sql<Record<string, unknown>>`select ${sql.join(shown.map(({ column }, i) => sql`${sql.ref(column.column)} as ${sql.raw(`c${i}`)}`))}
    from ${sql.table(mount.tableName)} order by _line limit ${SAMPLE_ROWS}`.execute(ctx.db)
  const pseudonymKey = `${pseudonymSecret(ctx.config.dataKey)}:sample`
  const sealers = shown.map(({ column }) => (column.sealed ? sealerFor(column, ctx.config.dataKey) : null))
  const masked = rows.map((row) =>
    Object.fromEntries(
      shown.map(({ key, column, rule }, i) => {
        const value = sealers[i] ? openSealedValue(sealers[i], resourceId, column, row[`c${i}`]) : row[`c${i}`]
        const out = maskValue(rule, value ?? null, pseudonymKey)
        return [key, out === null || out === undefined ? null : String(out)]
      }),
    ),
  )
  return {
    items: shown.map(({ item, key, rule }) => ({ name: item.name, nameEn: key, masking: rule, maskingLabel: MASKING_LABELS[rule] })),
    rows: masked,
    lastDataTime: mount.lastDataTime,
  }
}
