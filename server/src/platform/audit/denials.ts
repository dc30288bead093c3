import type { Db } from '../db/database.ts'
import { type AuditEventInput, type AuditSource, appendAuditBatch } from './chain.ts'

// Repeats of one kind of denial are summed over this long.
export const DENIAL_WINDOW_MS = 5 * 60_000
// Kinds followed at once; past this, every open count is written and the counting starts again.
const MAX_OPEN = 10_000
// Distinct subjects (usernames, app keys, object ids) listed in a summary.
const MAX_SUBJECTS = 20

interface OpenKind {
  startMs: number
  count: number
  firstAt: Date | null
  lastAt: Date | null
  subjects: Set<string>
  moreSubjects: number
  last: { source: AuditSource; event: AuditEventInput } | null
}

type Entry = { source: AuditSource; event: AuditEventInput }

/**
 * Refused attempts in the audit chain without letting a flood fill it. The first denial of a kind
 * (action, actor, app, source address, object and the caller's reason) in a window is written at once,
 * as before; the ones that follow in the window are only counted here, and written as one event with
 * their count, first and last time and the subjects they named, when the window ends (or the server
 * closes). A flood thus adds two events per kind and window, not one per request. Writing still goes
 * through appendAudit's lock, so the chain keeps one order and one writer at a time. Counts not yet
 * written are lost if the process dies: at most one window of repeats, never the first of a kind.
 */
export class DenialLog {
  private readonly open = new Map<string, OpenKind>()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
    private readonly windowMs = DENIAL_WINDOW_MS,
  ) {
    this.timer = setInterval(() => this.flushEnded().catch(onError), Math.min(windowMs, 60_000))
    this.timer.unref()
  }

  /**
   * Records one denied attempt. `kind` separates denials of one action that mean different things
   * (a reason, an error code); `subject` is what the attempt named (a username, an app key), listed
   * in the summary.
   */
  async record(source: AuditSource, event: AuditEventInput, options: { kind?: string; subject?: string } = {}): Promise<void> {
    const key = JSON.stringify([event.action, source.actorId, event.appId ?? null, source.ip, event.objectId ?? null, options.kind ?? ''])
    const at = source.at.getTime()
    const entry = this.open.get(key)
    if (entry && at >= entry.startMs && at < entry.startMs + this.windowMs) {
      entry.count++
      entry.firstAt ??= source.at
      entry.lastAt = source.at
      entry.last = { source, event }
      if (options.subject !== undefined) {
        if (entry.subjects.size < MAX_SUBJECTS) entry.subjects.add(options.subject)
        else if (!entry.subjects.has(options.subject)) entry.moreSubjects++
      }
      return
    }
    const due: Entry[] = []
    if (entry) {
      this.open.delete(key)
      due.push(...summaryOf(entry))
    }
    if (this.open.size >= MAX_OPEN) due.push(...this.takeAll(() => true))
    // Opened before the write is awaited, so a concurrent repeat is counted rather than written too.
    this.open.set(key, { startMs: at, count: 0, firstAt: null, lastAt: null, subjects: new Set(), moreSubjects: 0, last: null })
    await appendAuditBatch(this.db, [...due, { source, event }])
  }

  /** Writes the counts of the windows that have ended. */
  async flushEnded(): Promise<void> {
    const now = this.now().getTime()
    await appendAuditBatch(
      this.db,
      this.takeAll((kind) => now >= kind.startMs + this.windowMs),
    )
  }

  /** Writes every count now (tests; server shutdown). */
  async flush(): Promise<void> {
    await appendAuditBatch(
      this.db,
      this.takeAll(() => true),
    )
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }

  private takeAll(ended: (kind: OpenKind) => boolean): Entry[] {
    const due: Entry[] = []
    for (const [key, kind] of this.open) {
      if (!ended(kind)) continue
      this.open.delete(key)
      due.push(...summaryOf(kind))
    }
    return due
  }
}

/** The one event standing for a window's repeats (none when the first denial had no repeat). */
function summaryOf(kind: OpenKind): Entry[] {
  if (kind.count === 0 || !kind.last) return []
  const { source, event } = kind.last
  return [
    {
      // Many requests: no single request id; dated at the last repeat, so time-range searches find it.
      source: { ...source, requestId: null, at: kind.lastAt! },
      event: {
        ...event,
        detail: {
          ...event.detail,
          repeated: {
            count: kind.count,
            firstAt: kind.firstAt!.toISOString(),
            lastAt: kind.lastAt!.toISOString(),
            ...(kind.subjects.size > 0 && { subjects: [...kind.subjects] }),
            ...(kind.moreSubjects > 0 && { moreSubjects: kind.moreSubjects }),
          },
        },
      },
    },
  ]
}
