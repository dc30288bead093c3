import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'

export const minuteWindow = (now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000)

interface Waiter {
  resolve(count: number): void
  reject(error: unknown): void
}

// Keys per statement: far more than one process sees at once, few enough for one short statement.
const MAX_KEYS_PER_FLUSH = 500

/**
 * Group increments of the shared counters, which live in the database so that every server process
 * sharing it enforces the same limits: calls that arrive while a statement is in flight are
 * counted together by the next one (`count = count + n … returning count`), and each call gets its
 * own exact ordinal (new total − n + 1 … new total). Limits stay exact and shared across processes,
 * at one statement per batch instead of one per call per counter.
 */
export class GroupCounter {
  private pending = new Map<string, { key: string; windowStart: Date; waiters: Waiter[] }>()
  private inFlight = 0
  private scheduled = false

  /** Up to `maxInFlight` statements at once; the row locks order them, and each total stays exact. */
  constructor(
    private readonly db: Executor,
    private readonly maxInFlight = 2,
  ) {}

  /** Counts one call in each window; resolves with the call's ordinal in each (same order). */
  count(windows: readonly { key: string; windowStart: Date }[]): Promise<number[]> {
    const counted = windows.map(
      ({ key, windowStart }) =>
        new Promise<number>((resolve, reject) => {
          const id = slotId(key, windowStart)
          let slot = this.pending.get(id)
          if (!slot) this.pending.set(id, (slot = { key, windowStart, waiters: [] }))
          slot.waiters.push({ resolve, reject })
        }),
    )
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.pump()
      })
    }
    return Promise.all(counted)
  }

  private pump() {
    while (this.pending.size > 0 && this.inFlight < this.maxInFlight) {
      const slots = [...this.pending.values()].slice(0, MAX_KEYS_PER_FLUSH)
      for (const slot of slots) this.pending.delete(slotId(slot.key, slot.windowStart))
      this.inFlight++
      void this.flush(slots).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
  }

  private async flush(slots: { key: string; windowStart: Date; waiters: Waiter[] }[]) {
    // A fixed key order: two statements updating the same rows never wait on each other in a cycle.
    slots.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.windowStart.getTime() - b.windowStart.getTime()))
    try {
      // One statement of fixed text (migration 0021), the batch as one JSON parameter.
      const counts = JSON.stringify(slots.map((s) => ({ key: s.key, window_start: s.windowStart, count: s.waiters.length })))
      const { rows } = await sql<{
        counterKey: string
        windowFrom: Date | string
        total: number
      }>`select counter_key, window_from, total from rate_counters_add(${counts}::json)`.execute(this.db)
      const totals = new Map(rows.map((r) => [slotId(r.counterKey, new Date(r.windowFrom)), r.total]))
      for (const slot of slots) {
        const total = totals.get(slotId(slot.key, slot.windowStart))
        if (total === undefined) {
          for (const w of slot.waiters) w.reject(new Error(`rate counter ${slot.key} not returned`))
          continue
        }
        const first = total - slot.waiters.length + 1
        slot.waiters.forEach((w, i) => w.resolve(first + i))
      }
    } catch (error) {
      for (const slot of slots) for (const w of slot.waiters) w.reject(error)
    }
  }
}

const slotId = (key: string, windowStart: Date) => `${key}\u0000${windowStart.getTime()}`
