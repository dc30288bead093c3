import { sql } from 'kysely'
import type { Executor } from '../db/database.ts'
import { rateLimited } from '../http/errors.ts'

/**
 * Login rate limiting per source IP and per username, counted in the database so that every server
 * process sharing it enforces one limit. Each attempt reserves a slot first (one atomic upsert), so
 * concurrent attempts cannot all slip under the limit; a successful login gives its slot back.
 */
export interface LoginLimits {
  /** Failed attempts per source IP per 15 minutes; 0 = unlimited. */
  perIp: number
  /** Failed attempts per username per hour; 0 = unlimited. */
  perUser: number
}

const IP_WINDOW_MS = 15 * 60_000
const USER_WINDOW_MS = 60 * 60_000

interface Counter {
  key: string
  windowStart: Date
  windowMs: number
  limit: number
}

const windowOf = (now: Date, ms: number) => new Date(Math.floor(now.getTime() / ms) * ms)

function countersOf(ip: string | null, username: string, now: Date, limits: LoginLimits): Counter[] {
  const counters: Counter[] = []
  if (limits.perIp > 0 && ip) counters.push({ key: `ip:${ip}`, windowStart: windowOf(now, IP_WINDOW_MS), windowMs: IP_WINDOW_MS, limit: limits.perIp })
  // Lower case: `Admin` and `admin` are one target for a guesser.
  if (limits.perUser > 0) counters.push({ key: `user:${username.toLowerCase()}`, windowStart: windowOf(now, USER_WINDOW_MS), windowMs: USER_WINDOW_MS, limit: limits.perUser })
  return counters
}

export interface LoginAttempt {
  /** The attempt succeeded: its IP slot is returned and the username's count starts again. */
  succeeded(): Promise<void>
  /** The attempt was refused for a reason that is not a guess (account locked): give the slots back. */
  release(): Promise<void>
}

/**
 * Reserves one attempt for this IP and username. Throws 429 RATE_LIMITED (with Retry-After) when
 * either counter is over its limit; the refused attempt stays counted.
 */
export async function reserveLoginAttempt(db: Executor, ip: string | null, username: string, now: Date, limits: LoginLimits): Promise<LoginAttempt> {
  const counters = countersOf(ip, username, now, limits)
  let retryAfterMs = 0
  for (const counter of counters) {
    const { failures } = await db
      .insertInto('loginThrottle')
      .values({ key: counter.key, windowStart: counter.windowStart, failures: 1 })
      .onConflict((oc) => oc.columns(['key', 'windowStart']).doUpdateSet({ failures: sql`login_throttle.failures + 1` }))
      .returning('failures')
      .executeTakeFirstOrThrow()
    if (failures > counter.limit) retryAfterMs = Math.max(retryAfterMs, counter.windowStart.getTime() + counter.windowMs - now.getTime())
  }
  // Old windows of these keys are never read again.
  for (const counter of counters) {
    await db.deleteFrom('loginThrottle').where('key', '=', counter.key).where('windowStart', '<', counter.windowStart).execute()
  }
  if (retryAfterMs > 0) {
    throw rateLimited(`登录尝试过于频繁，请 ${Math.ceil(retryAfterMs / 60_000)} 分钟后再试`, retryAfterMs / 1000)
  }
  const giveBack = (counter: Counter) =>
    db
      .updateTable('loginThrottle')
      .set({ failures: sql`greatest(failures - 1, 0)` })
      .where('key', '=', counter.key)
      .where('windowStart', '=', counter.windowStart)
      .execute()
  return {
    async succeeded() {
      for (const counter of counters) {
        if (counter.key.startsWith('user:')) await db.deleteFrom('loginThrottle').where('key', '=', counter.key).execute()
        else await giveBack(counter)
      }
    },
    async release() {
      for (const counter of counters) await giveBack(counter)
    },
  }
}
