import { recordAudit } from '../../platform/audit/record.ts'
import { authorize } from '../../platform/auth/policy.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { AppError, conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { deleteUpstreamHost, findUpstreamHostRow, insertUpstreamHost, listUpstreamHostEntries, listUpstreamHostRows, lockUpstreamHost } from './queries.ts'
import type { AddUpstreamHostBody, UpstreamHostOut } from './schemas.ts'
import { upstreamHostsChanged } from './signal.ts'
import { type UpstreamPolicy, type UpstreamRuleOptions, canonicalHostEntry, checkUpstreamUrl, upstreamPolicy } from './upstream-rules.ts'

export const ruleOptions = (config: Config): UpstreamRuleOptions => ({ loopbackForTests: config.upstreamLoopbackForTests })

type HostRow = NonNullable<Awaited<ReturnType<typeof findUpstreamHostRow>>>

const present = (row: HostRow): UpstreamHostOut => ({ ...row, createdAt: new Date(row.createdAt) })

const shown = (host: string, port: number | null) => (port === null ? host : `${host}（端口 ${port}）`)

/** GET /security/upstream-hosts */
export async function listUpstreamHosts(ctx: Ctx): Promise<{ items: UpstreamHostOut[] }> {
  return { items: (await listUpstreamHostRows(ctx.db)).map(present) }
}

/** POST /security/upstream-hosts: lists a host, domain, address or range (canonical form), audited. */
export async function addUpstreamHost(ctx: Ctx, body: AddUpstreamHostBody): Promise<UpstreamHostOut> {
  authorize(ctx.actor, 'security.upstream.add')
  const canonical = canonicalHostEntry(body.host, ruleOptions(ctx.config))
  if (!canonical.ok) throw fieldError('host', canonical.reason)
  const host = canonical.value
  const added = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await insertUpstreamHost(trx, { host, port: body.port, note: body.note, createdBy: ctx.actor.userId, createdAt: ctx.now() })
    if (!inserted) throw conflict(`允许清单中已有「${shown(host, body.port)}」`)
    await recordAudit(trx, ctx, {
      action: 'security.upstream.add',
      objectType: 'upstream_host',
      objectId: inserted.id,
      detail: { host, port: body.port, note: body.note },
    })
    return present((await findUpstreamHostRow(trx, inserted.id))!)
  })
  upstreamHostsChanged()
  return added
}

/** DELETE /security/upstream-hosts/:id: upstreams on it are refused from the next call on. */
export async function removeUpstreamHost(ctx: Ctx, id: string): Promise<UpstreamHostOut> {
  authorize(ctx.actor, 'security.upstream.remove')
  const removed = await ctx.db.transaction().execute(async (trx) => {
    if (!(await lockUpstreamHost(trx, id))) throw notFound('允许清单条目')
    const row = (await findUpstreamHostRow(trx, id))!
    await deleteUpstreamHost(trx, id)
    await recordAudit(trx, ctx, {
      action: 'security.upstream.remove',
      objectType: 'upstream_host',
      objectId: id,
      detail: { host: row.host, port: row.port, note: row.note },
    })
    return present(row)
  })
  upstreamHostsChanged()
  return removed
}

/** The allow-list as matching rules (the gateway caches it briefly). */
export async function loadUpstreamPolicy(db: Executor, config: Config): Promise<UpstreamPolicy> {
  return upstreamPolicy(await listUpstreamHostEntries(db), ruleOptions(config))
}

/**
 * Refuses (400 UPSTREAM_NOT_ALLOWED, field upstreamUrl) an upstream URL the platform may not call, judged
 * as written; the gateway judges it again, with the resolved addresses, at every call.
 */
export async function assertUpstreamAllowed(db: Executor, config: Config, upstreamUrl: string): Promise<void> {
  const checked = checkUpstreamUrl(await loadUpstreamPolicy(db, config), upstreamUrl)
  if (!checked.ok) throw new AppError(400, 'UPSTREAM_NOT_ALLOWED', checked.reason, [{ field: 'upstreamUrl', message: checked.reason }])
}
