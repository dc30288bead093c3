import { sql } from 'kysely'
import {
  type AuditEventInput,
  type AuditSource,
  type ChainHead,
  type ChainedRow,
  auditRowsJson,
  chainAfter,
  chainHeadOf,
  ensureAuditPartition,
  lockChainHead,
} from './chain.ts'
import type { Db, Executor } from '../db/database.ts'
import { type CallLog, callLogDigest, sealDigest } from './call-seal.ts'
import { observeJournalBatch } from '../metrics/metrics.ts'

interface Queued {
  callLog: CallLog
  resolve(): void
  reject(error: unknown): void
}

// Calls per batch: bounded so one batch's statements (and the audit lock they hold) stay short.
const MAX_BATCH = 500

/**
 * Group commit of the call log (SPEC §6.6 CallLog, §8.4): calls that finish while a batch is being
 * written are written together by the next one, and sealed into the audit chain in the same commit:
 * one `gateway.records.read` event per app, grant and outcome in the batch, carrying the call-log ids
 * and the SM3 digest of those rows (X-Road seals its message log the same way). One call alone gets an
 * event of its own. Each call still waits for the commit that holds its record before it answers, so no
 * response leaves unrecorded; a failed batch is retried call by call, so one bad record fails only its
 * own call.
 */
export class CallJournal {
  private queue: Queued[] = []
  private inFlight = 0
  private scheduled = false
  private idleWaiters: (() => void)[] = []
  // Until when batches are sealed under the lock straight away (see write).
  private lockedUntil = 0
  // Where the chain ends after the last batch this journal chained: known as soon as an optimistic batch
  // is chained (before it commits), after its commit for a batch under the lock; null when unknown (the
  // next batch then reads the head with its ids). Each batch chains after the one before it.
  private tail: Promise<ChainHead | null> = Promise.resolve(null)
  // Call-log ids reserved ahead, so a batch usually needs no round trip before its commit.
  private ids: number[] = []

  /**
   * `maxInFlight` batches may be written at once. Two: the next batch is chained after the one in flight
   * (its head known here) and sent at once; PostgreSQL holds it on the chain's lock until the first commits,
   * so its own work overlaps the first one's commit instead of waiting for it here (bench/README.md).
   */
  constructor(
    private readonly db: Db,
    private readonly maxInFlight = 2,
  ) {}

  /** Resolves once the call's record and its seal are committed. */
  record(callLog: CallLog): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ callLog, resolve, reject }))
    if (!this.scheduled) {
      this.scheduled = true
      // Let the calls finishing in this tick join the batch.
      setImmediate(() => {
        this.scheduled = false
        this.pump()
      })
    }
    return done
  }

  /** Waits for everything queued so far (server shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0 && !this.scheduled) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private pump() {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, MAX_BATCH)
      observeJournalBatch(batch.length)
      this.inFlight++
      void this.flush(batch).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
    if (this.queue.length === 0 && this.inFlight === 0 && !this.scheduled) for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private async flush(batch: Queued[]) {
    try {
      await this.write(batch.map((q) => q.callLog))
      for (const q of batch) q.resolve()
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error)
      else for (const q of batch) await this.write([q.callLog]).then(q.resolve, q.reject)
    }
  }

  /** `n` reserved ids, and the head to chain after when this journal does not know it. */
  private async take(n: number, needHead: boolean): Promise<{ ids: number[]; head: ChainHead | null }> {
    let head: ChainHead | null = null
    if (this.ids.length < n || needHead) {
      const reserved = await reserve(this.db, Math.max(n - this.ids.length, ID_BLOCK))
      this.ids.push(...reserved.ids)
      head = reserved.head
    }
    return { ids: this.ids.splice(0, n), head }
  }

  /**
   * Usually one statement and no explicit transaction (migration 0022): the batch's ids come from a block
   * reserved ahead, its seals are chained here after the last batch this journal sent (or after the head
   * read with a new block of ids), and `call_journal_commit` inserts call logs and seals at once if the
   * chain still ends there. When another append came first (or the batch before this one failed), the batch
   * is sealed under the chain's lock, as every other append is. Under a mixed load the head moves most of
   * the time (the soak benchmark: requests, decisions and logins append too), and each lost race costs a
   * statement: so after one, batches go under the lock for a while before trying again. Measured:
   * bench/README.md.
   */
  private async write(callLogs: readonly CallLog[]) {
    const before = this.tail
    let settle!: (tail: ChainHead | null) => void
    this.tail = new Promise((resolve) => (settle = resolve))
    let settled = false
    const handOn = (tail: ChainHead | null) => {
      if (!settled) settle(tail)
      settled = true
    }
    try {
      const known = await before
      const optimistic = Date.now() >= this.lockedUntil
      const taken = await this.take(callLogs.length, optimistic && !known)
      const { ids } = taken
      const logs = callLogsJson(callLogs, ids)
      const events = sealEvents(callLogs, ids)
      const head = known ?? taken.head
      if (optimistic && head) {
        const chained = chainAfter(head, events)
        // A new month's partition is created under the lock, below.
        if (chained.newMonths.length === 0) {
          // The next batch chains after this one at once, and waits on the chain's lock in PostgreSQL.
          handOn(tailOf(chained.rows))
          if (await commitSealed(this.db, head.hash, logs, chained.rows)) return
          this.lockedUntil = Date.now() + LOCKED_AFTER_LOST_RACE_MS
        }
      }
      const tail = await this.db.transaction().execute(async (trx) => {
        const locked = await lockChainHead(trx)
        const { rows, newMonths } = chainAfter(locked, events)
        for (const at of newMonths) await ensureAuditPartition(trx, at)
        if (!(await commitSealed(trx, locked.hash, logs, rows))) throw new Error('the audit chain moved while its lock was held')
        return tailOf(rows)
      })
      // Handed on already if this batch lost its race: the next one then loses too and comes here.
      handOn(tail)
    } finally {
      handOn(null)
    }
  }
}

const tailOf = (rows: readonly ChainedRow[]): ChainHead => {
  const last = rows[rows.length - 1]
  return { hash: last.hash, at: last.at, online: true }
}

// How long batches go under the lock after an optimistic commit lost the race.
const LOCKED_AFTER_LOST_RACE_MS = 1000
// Call-log ids reserved at a time (ids a process reserved and never used leave a gap, as rolled-back ones do).
const ID_BLOCK = 256

/** Ids for `n` call logs and the audit chain's head, in one round trip (no lock). */
async function reserve(db: Db, n: number): Promise<{ ids: number[]; head: ChainHead }> {
  const { rows } = await sql<{
    ids: (number | string)[]
    hash: string
    at: Date | string | null
    online: boolean
  }>`select ids, hash, at, online from call_journal_reserve(${n}::int)`.execute(db)
  return { ids: rows[0].ids.map(Number), head: chainHeadOf(rows[0]) }
}

/**
 * The batch as one JSON array of call_logs rows (json_populate_recordset in the database: the same
 * statement text whatever the batch size; one array parameter per column cost PostgreSQL twice the
 * CPU). Every column is named, with the table's defaults: a missing key would be NULL. Dates become ISO
 * strings, read back exactly by timestamptz.
 */
function callLogsJson(callLogs: readonly CallLog[], ids: readonly number[]): string {
  return JSON.stringify(
    callLogs.map((log, i) => ({
      id: ids[i],
      request_in_at: log.requestInAt,
      upstream_out_at: log.upstreamOutAt ?? null,
      upstream_in_at: log.upstreamInAt ?? null,
      response_out_at: log.responseOutAt,
      request_bytes: log.requestBytes ?? 0,
      response_bytes: log.responseBytes ?? 0,
      consumer_org_id: log.consumerOrgId ?? null,
      app_id: log.appId ?? null,
      resource_id: log.resourceId ?? null,
      provider_org_id: log.providerOrgId ?? null,
      grant_id: log.grantId ?? null,
      request_id: log.requestId ?? null,
      ip: log.ip ?? null,
      params_digest: log.paramsDigest ?? null,
      rows_returned: log.rowsReturned ?? 0,
      result: log.result,
      error_class: log.errorClass ?? null,
      error_code: log.errorCode ?? null,
      business_ref: log.businessRef ?? null,
    })),
  )
}

/** Inserts call logs and their seals in one statement if the chain still ends at `expectedHead`; false if not. */
async function commitSealed(executor: Executor, expectedHead: string, callLogs: string, seals: readonly ChainedRow[]): Promise<boolean> {
  const audit = auditRowsJson(seals)
  const { rows } = await sql<{ done: boolean }>`select call_journal_commit(${expectedHead}, ${callLogs}::json, ${audit}::json) as done`.execute(executor)
  return rows[0].done
}

/** The audit events sealing a batch: one per consumer app, grant, resource and outcome, in first-call order. */
function sealEvents(callLogs: readonly CallLog[], ids: readonly number[]): { source: AuditSource; event: AuditEventInput }[] {
  const groups = new Map<string, { logs: CallLog[]; ids: number[] }>()
  callLogs.forEach((log, i) => {
    const key = [log.consumerOrgId, log.appId, log.resourceId, log.grantId, log.result, log.errorCode].join('|')
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { logs: [], ids: [] }))
    group.logs.push(log)
    group.ids.push(ids[i])
  })
  return [...groups.values()].map(({ logs, ids: groupIds }) => {
    const first = logs[0]
    const alone = logs.length === 1
    const ips = new Set(logs.map((l) => l.ip ?? null))
    return {
      source: {
        actorId: null,
        orgId: first.consumerOrgId ?? null,
        roles: ['APP'],
        ip: ips.size === 1 ? (first.ip ?? null) : null,
        requestId: alone ? (first.requestId ?? null) : null,
        at: new Date(Math.max(...logs.map((l) => new Date(l.responseOutAt).getTime()))),
      },
      event: {
        action: 'gateway.records.read',
        result: first.result,
        objectType: 'resource',
        // As the call log stores it (uuid), whatever case the caller wrote it in.
        objectId: first.resourceId?.toLowerCase() ?? null,
        grantId: first.grantId ?? null,
        appId: first.appId ?? null,
        detail: {
          calls: logs.length,
          rows: logs.reduce((sum, l) => sum + (l.rowsReturned ?? 0), 0),
          ...(first.errorCode ? { code: first.errorCode } : {}),
          callLogIds: groupIds,
          ...(alone ? {} : { requestIds: logs.map((l) => l.requestId ?? null) }),
          digest: sealDigest(logs.map(callLogDigest)),
        },
      },
    }
  })
}
