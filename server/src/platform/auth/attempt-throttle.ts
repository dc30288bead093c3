import { sql } from 'kysely'
import type { Executor } from '../db/database.ts'
import { type AppError, rateLimited } from '../http/errors.ts'

/**
 * Rate limiting of credential checks (login, gateway/token) per source address and per key (username,
 * app key), counted in the database so that every server process sharing it enforces one limit. Each
 * attempt reserves a slot first (one atomic upsert), before any password or secret is checked, so
 * concurrent attempts cannot all slip under the limit and a refused attempt costs no hashing.
 */
export interface AttemptLimit {
  /** Counter key, prefixed by what it counts (`ip:…`, `user:…`, `app:…`). */
  key: string
  /** Attempts allowed per window; 0 = unlimited. */
  limit: number
  windowMs: number
  /**
   * What a successful attempt does: `reset` forgets the key's failures (a user who knows the password),
   * `give-back` returns only its own slot (a shared source address).
   */
  onSuccess: 'reset' | 'give-back'
}

export interface Attempt {
  /** The attempt succeeded: see AttemptLimit.onSuccess. */
  succeeded(): Promise<void>
}

interface Counter extends AttemptLimit {
  windowStart: Date
}

const windowOf = (now: Date, ms: number) => new Date(Math.floor(now.getTime() / ms) * ms)

// Counters of ended windows are deleted at most this often (per process): a flood of distinct keys
// (random usernames) must not grow the table without bound.
const PURGE_INTERVAL_MS = 60_000
// No limit's window is longer than this; older counters are never read again.
const LONGEST_WINDOW_MS = 3_600_000
// Refused keys remembered per process; past this, the oldest are forgotten (they are still in the database).
const MAX_REMEMBERED = 10_000

export class AttemptThrottle {
  /** Key → end of the window in which it is over its limit: refused here without asking the database. */
  private readonly refusedUntil = new Map<string, number>()
  private nextPurgeAt = 0

  constructor(
    private readonly db: Executor,
    /** The 429's Chinese message, given the minutes to wait. */
    private readonly message: (minutes: number) => string,
  ) {}

  /**
   * Reserves one attempt under each limit. Throws 429 RATE_LIMITED (with Retry-After) when any counter
   * is over its limit; the refused attempt stays counted. A key already refused in this window is
   * refused again from memory: a flood past the limit costs neither a query nor a hash.
   */
  async reserve(limits: readonly AttemptLimit[], now: Date): Promise<Attempt> {
    const counters: Counter[] = limits
      .filter((l) => l.limit > 0)
      .map((l) => ({ ...l, windowStart: windowOf(now, l.windowMs) }))
      // One order for every statement: two attempts never wait on each other's rows in a cycle.
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    const remembered = Math.max(0, ...counters.map((c) => this.refusedUntil.get(c.key) ?? 0))
    if (remembered > now.getTime()) throw this.refusal(remembered - now.getTime())
    if (counters.length === 0) return { succeeded: async () => {} }

    const rows = await this.db
      .insertInto('loginThrottle')
      .values(counters.map((c) => ({ key: c.key, windowStart: c.windowStart, failures: 1 })))
      .onConflict((oc) => oc.columns(['key', 'windowStart']).doUpdateSet({ failures: sql`login_throttle.failures + 1` }))
      .returning(['key', 'failures'])
      .execute()
    await this.purge(now)
    let refusedUntil = 0
    for (const counter of counters) {
      const failures = rows.find((r) => r.key === counter.key)?.failures ?? 0
      if (failures <= counter.limit) continue
      const until = counter.windowStart.getTime() + counter.windowMs
      this.remember(counter.key, until, now)
      refusedUntil = Math.max(refusedUntil, until)
    }
    if (refusedUntil > 0) throw this.refusal(refusedUntil - now.getTime())
    return { succeeded: () => this.succeeded(counters) }
  }

  private refusal(retryAfterMs: number): AppError {
    return rateLimited(this.message(Math.ceil(retryAfterMs / 60_000)), retryAfterMs / 1000)
  }

  private remember(key: string, until: number, now: Date) {
    if (this.refusedUntil.size >= MAX_REMEMBERED) {
      for (const [k, u] of this.refusedUntil) if (u <= now.getTime()) this.refusedUntil.delete(k)
      if (this.refusedUntil.size >= MAX_REMEMBERED) this.refusedUntil.delete(this.refusedUntil.keys().next().value!)
    }
    this.refusedUntil.set(key, until)
  }

  private async succeeded(counters: readonly Counter[]) {
    const reset = counters.filter((c) => c.onSuccess === 'reset').map((c) => c.key)
    if (reset.length > 0) await this.db.deleteFrom('loginThrottle').where('key', 'in', reset).execute()
    for (const counter of counters.filter((c) => c.onSuccess === 'give-back')) {
      await this.db
        .updateTable('loginThrottle')
        .set({ failures: sql`greatest(failures - 1, 0)` })
        .where('key', '=', counter.key)
        .where('windowStart', '=', counter.windowStart)
        .execute()
    }
  }

  /** Deletes counters whose window ended; the index of migration 0028 finds them. */
  private async purge(now: Date) {
    if (now.getTime() < this.nextPurgeAt) return
    this.nextPurgeAt = now.getTime() + PURGE_INTERVAL_MS
    await this.db
      .deleteFrom('loginThrottle')
      .where('windowStart', '<', new Date(now.getTime() - LONGEST_WINDOW_MS))
      .execute()
  }
}
