import type { Insertable } from 'kysely'
import { type AuditEventInput, type AuditSource, appendAuditBatch } from '../../platform/audit/chain.ts'
import type { Db, Trx } from '../../platform/db/database.ts'
import type { CallLogsTable } from '../../platform/db/schema.ts'

/** What one gateway call leaves behind: its call-log row, its usage record (successes) and its audit event. */
export interface CallRecord {
  callLog: Insertable<CallLogsTable>
  usage: { grantId: string; at: Date; appId?: string | null; businessRef?: string | null; purpose?: string | null; rows: number } | null
  audit: { source: AuditSource; event: AuditEventInput }
}

interface Queued {
  record: CallRecord
  resolve(): void
  reject(error: unknown): void
}

// Calls per transaction: bounded so one transaction (and the audit lock it holds) stays short.
const MAX_BATCH = 500

/**
 * Group commit of the call log (SPEC §6.6 CallLog, §8.4): calls that finish while a transaction is
 * being written are written together by the next one — one multi-row INSERT each for call logs,
 * usage records and audit events. Each call still waits for the commit that holds its record before
 * it answers, so no response leaves unrecorded; a failed batch is retried call by call, so one bad
 * record fails only its own call.
 */
export class CallJournal {
  private queue: Queued[] = []
  private inFlight = 0
  private scheduled = false
  private idleWaiters: (() => void)[] = []

  /** `maxInFlight` transactions may be open at once: the next batch writes its call logs while the previous one holds the audit lock. */
  constructor(
    private readonly db: Db,
    private readonly maxInFlight = 3,
  ) {}

  /** Resolves once the call's records are committed. */
  record(record: CallRecord): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ record, resolve, reject }))
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
      await this.write(batch.map((q) => q.record))
      for (const q of batch) q.resolve()
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error)
      else for (const q of batch) await this.write([q.record]).then(q.resolve, q.reject)
    }
  }

  private write(records: readonly CallRecord[]) {
    return this.db.transaction().execute(async (trx) => {
      const usages = records.flatMap((r) => (r.usage ? [r.usage] : []))
      await recordCallsAndUsages(trx, records.map((r) => r.callLog), usages)
      // Last, so the chain's lock is held only for the audit rows and the commit.
      await appendAuditBatch(trx, records.map((r) => r.audit))
    })
  }
}

/** Call logs and usage records in one statement (a data-modifying CTE): one round trip instead of two. */
async function recordCallsAndUsages(trx: Trx, callLogs: Insertable<CallLogsTable>[], usages: NonNullable<CallRecord['usage']>[]) {
  if (usages.length === 0) {
    await trx.insertInto('callLogs').values(callLogs).execute()
    return
  }
  await trx
    .with('logged', (db) => db.insertInto('callLogs').values(callLogs))
    .insertInto('usageRecords')
    .values(usages.map((u) => ({ grantId: u.grantId, at: u.at, userId: null, appId: u.appId ?? null, businessRef: u.businessRef ?? null, purpose: u.purpose ?? null, rows: u.rows })))
    .execute()
}
