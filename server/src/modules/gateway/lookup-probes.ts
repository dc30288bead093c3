import { appendAudit } from '../../platform/audit/chain.ts'
import type { Db } from '../../platform/db/database.ts'
import { minuteWindow } from './rate-limit.ts'

/**
 * Counts each app's lookups that find nothing (or are refused) in the current minute, in this process's
 * memory: the hot path never waits for the database here, and only the miss that reaches the threshold
 * writes (a flag, see `flagApp`). An app at the threshold is throttled for the rest of the minute. With
 * several processes each counts its own calls, so an app gets up to `limit` misses per process.
 */
export class LookupProbeGuard {
  private window = 0
  // Only the current minute's counts are kept: at most one entry per app that missed in it.
  private misses = new Map<string, number>()

  /** `limit` misses per app per minute; 0 turns the guard off. */
  constructor(readonly limit: number) {}

  private roll(now: Date) {
    const window = minuteWindow(now).getTime()
    if (window !== this.window) {
      this.window = window
      this.misses.clear()
    }
  }

  /** True when the app has used up its misses for this minute. */
  throttled(appId: string, now: Date): boolean {
    if (this.limit === 0) return false
    this.roll(now)
    return (this.misses.get(appId) ?? 0) >= this.limit
  }

  /** Counts one miss; true exactly once per app and minute, when the count reaches the threshold. */
  miss(appId: string, now: Date): boolean {
    if (this.limit === 0) return false
    this.roll(now)
    const count = (this.misses.get(appId) ?? 0) + 1
    this.misses.set(appId, count)
    return count === this.limit
  }
}

/**
 * Raises (or, when one is open, counts again) the app's flag for the security administrator, with its
 * audit event, in one transaction. The app acts without a user: the event names the app and its org.
 */
export async function flagApp(db: Db, app: { appId: string; orgId: string }, misses: number, source: { ip: string; requestId: string; at: Date }) {
  await db.transaction().execute(async (trx) => {
    const flag = await trx
      .insertInto('gatewayAppFlags')
      .values({ appId: app.appId, orgId: app.orgId, reason: 'lookup_misses', misses, firstAt: source.at, lastAt: source.at })
      .onConflict((oc) =>
        oc
          .column('appId')
          .where('clearedAt', 'is', null)
          .doUpdateSet((eb) => ({ times: eb('gatewayAppFlags.times', '+', 1), lastAt: source.at })),
      )
      .returning(['id', 'times'])
      .executeTakeFirstOrThrow()
    await appendAudit(
      trx,
      { actorId: null, orgId: app.orgId, roles: [], ip: source.ip, requestId: source.requestId, at: source.at },
      {
        action: 'gateway.app.flag',
        result: 'denied',
        objectType: 'gateway_app_flag',
        objectId: flag.id,
        appId: app.appId,
        detail: { reason: 'lookup_misses', misses, times: flag.times },
      },
    )
  })
}
