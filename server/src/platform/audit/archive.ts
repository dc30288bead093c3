import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync } from 'node:fs'
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import { addBeijingMonths, beijingInstant, beijingMonthStart } from '../calendar/dates.ts'
import type { Db, Executor } from '../db/database.ts'
import type { Task } from '../jobs/scheduler.ts'
import { AUDIT_CHAIN_LOCK_KEY, GENESIS_HASH, appendAudit, canonicalJson, chainHash, chainedFieldsOf, verifyAuditChain } from './chain.ts'
import { type CheckpointSettings, checkpointTask, writeCheckpoint } from './checkpoint.ts'

/**
 * Archiving of old audit months (SPEC §8.4 S12: ≥ 6 months online, ≥ 3 years archived). A month whose
 * partition is older than the online retention is written to a JSON-lines file (one event per line,
 * every stored field), checked link by link while it is written, recorded in audit_archives with the
 * SM3 of its first and last event and of the file, and only then detached and dropped. Verification of
 * the online chain then starts from the archive's last hash.
 */

export const MIN_ONLINE_MONTHS = 6
const PAGE = 5000

export interface AuditArchiveSettings {
  /** Months kept online before the current one (≥ 6). */
  onlineMonths: number
  /** Where archive files go (one directory per deployment; back it up with the database). */
  archiveDir: string
}

/** GOVSHARE_AUDIT_ONLINE_MONTHS (default 6, at least 6) and GOVSHARE_AUDIT_ARCHIVE_DIR (default data/audit-archive). */
export function auditArchiveSettings(env: NodeJS.ProcessEnv = process.env): AuditArchiveSettings {
  const text = env.GOVSHARE_AUDIT_ONLINE_MONTHS
  const onlineMonths = text === undefined || text === '' ? MIN_ONLINE_MONTHS : Number(text)
  if (!Number.isInteger(onlineMonths) || onlineMonths < MIN_ONLINE_MONTHS) {
    throw new Error(`GOVSHARE_AUDIT_ONLINE_MONTHS 必须是不小于 ${MIN_ONLINE_MONTHS} 的整数（审计日志在线保存不少于 6 个月）`)
  }
  return { onlineMonths, archiveDir: resolve(env.GOVSHARE_AUDIT_ARCHIVE_DIR || 'data/audit-archive') }
}

export class AuditArchiveError extends Error {}

interface Partition {
  name: string
  from: Date
  to: Date
}

/** The online partitions, oldest first (their bounds follow from the name: audit_events_YYYYMM). */
export async function listAuditPartitions(db: Db): Promise<Partition[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'audit_events'::regclass order by c.relname`.execute(db)
  return rows.map(({ name }) => {
    const match = /^audit_events_(\d{4})(\d{2})$/.exec(name)
    if (!match) throw new AuditArchiveError(`无法识别的审计分区：${name}`)
    const from = beijingInstant(`${match[1]}-${match[2]}-01`)
    return { name, from, to: addBeijingMonths(from, 1) }
  })
}

/** Creates the partitions of this month and the next two (the scheduled job; appendAudit creates missing ones too). */
export async function ensureUpcomingPartitions(db: Db, now: Date): Promise<number> {
  const before = (await listAuditPartitions(db)).length
  const month = beijingMonthStart(now)
  for (let i = 0; i <= 2; i++) {
    await db.transaction().execute((trx) => sql`select audit_ensure_partition(${addBeijingMonths(month, i)})`.execute(trx))
  }
  return (await listAuditPartitions(db)).length - before
}

export interface ArchivedSegment {
  partition: string
  events: number
  firstId: number | null
  lastId: number | null
  file: string
  fileSm3: string
}

/** One line of an archive file: every stored field of the event. */
function archiveLine(row: Record<string, unknown> & { at: Date | string }) {
  return `${canonicalJson({ ...row, at: new Date(row.at).toISOString() })}\n`
}

async function newestArchiveHash(db: Executor) {
  const newest = await db.selectFrom('auditArchives').select('lastHash').orderBy('id', 'desc').limit(1).executeTakeFirst()
  return newest?.lastHash ?? GENESIS_HASH
}

/**
 * Archives every partition whose month ended more than `onlineMonths` months before `now`'s month,
 * oldest first. Refuses (AuditArchiveError) when a month's events do not verify: a broken chain is
 * evidence and stays in the database for the auditor. Safe to run in several processes at once.
 */
export async function archiveAuditPartitions(
  db: Db,
  options: AuditArchiveSettings & { now: Date; dryRun?: boolean; checkpoint?: CheckpointSettings },
): Promise<{ cutoff: Date; archived: ArchivedSegment[]; pending: string[] }> {
  if (options.onlineMonths < MIN_ONLINE_MONTHS) throw new AuditArchiveError(`在线保存期不得少于 ${MIN_ONLINE_MONTHS} 个月`)
  const cutoff = addBeijingMonths(beijingMonthStart(options.now), -options.onlineMonths)
  const due = (await listAuditPartitions(db)).filter((p) => p.to.getTime() <= cutoff.getTime())
  if (options.dryRun) return { cutoff, archived: [], pending: due.map((p) => p.name) }
  mkdirSync(options.archiveDir, { recursive: true })
  const archived: ArchivedSegment[] = []
  for (const partition of due) {
    const segment = await archivePartition(db, partition, options.archiveDir)
    if (segment) archived.push(segment)
  }
  // The chain's start moved into the archive: a checkpoint now pins the head that follows it.
  if (archived.length > 0 && options.checkpoint) await writeCheckpoint(db, options.checkpoint, options.now)
  return { cutoff, archived, pending: [] }
}

async function archivePartition(db: Db, partition: Partition, archiveDir: string): Promise<ArchivedSegment | null> {
  const prevHash = await newestArchiveHash(db)
  // The segment must be the start of the online chain: nothing older online, nothing newer with a smaller id.
  const older = await db.selectFrom('auditEvents').select('id').where('at', '<', partition.from).limit(1).executeTakeFirst()
  if (older) throw new AuditArchiveError(`${partition.name} 之前仍有未归档的审计事件（编号 ${older.id}），请先归档更早的月份`)
  const bounds = await db
    .selectFrom('auditEvents')
    .select((eb) => [eb.fn.max('id').as('maxId'), eb.fn.countAll<number>().as('n')])
    .where('at', '>=', partition.from)
    .where('at', '<', partition.to)
    .executeTakeFirstOrThrow()
  const later = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.min('id').as('minId'))
    .where('at', '>=', partition.to)
    .executeTakeFirstOrThrow()
  if (bounds.maxId !== null && later.minId !== null && Number(later.minId) < Number(bounds.maxId)) {
    throw new AuditArchiveError(`${partition.name} 的事件编号与下个月交错（编号 ${later.minId} < ${bounds.maxId}），不能按月归档`)
  }

  // 1. The file, written and checked link by link, then renamed into place (a crash leaves only a .partial).
  const fileName = `${partition.name}.jsonl`
  const finalPath = join(archiveDir, fileName)
  const partialPath = `${finalPath}.${process.pid}.partial`
  const digest = createHash('sm3')
  const handle = await open(partialPath, 'w')
  let bytes = 0
  let count = 0
  let firstId: number | null = null
  let lastId: number | null = null
  let firstHash: string | null = null
  let lastAt: Date | null = null
  let hash = prevHash
  try {
    for (let after = 0; ; ) {
      const rows = await db
        .selectFrom('auditEvents')
        .selectAll()
        .where('at', '>=', partition.from)
        .where('at', '<', partition.to)
        .where('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .execute()
      if (rows.length === 0) break
      let chunk = ''
      for (const row of rows) {
        if (row.prevHash !== hash || row.hash !== chainHash(hash, chainedFieldsOf(row))) {
          throw new AuditArchiveError(`审计事件 ${row.id} 校验失败（哈希链在此断开），${partition.name} 未归档，请审计员核查`)
        }
        hash = row.hash
        firstId ??= row.id
        firstHash ??= row.hash
        lastId = row.id
        lastAt = new Date(row.at)
        count++
        chunk += archiveLine(row)
      }
      const buffer = Buffer.from(chunk, 'utf8')
      digest.update(buffer)
      await handle.write(buffer)
      bytes += buffer.length
      after = rows[rows.length - 1].id
    }
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(partialPath, { force: true })
    throw error
  }
  await handle.close()
  const fileSm3 = digest.digest('hex')
  await rename(partialPath, finalPath)

  // 2. Record it and drop the partition in one transaction, re-checking under the chain lock that
  //    nothing changed meanwhile and that no other process archived it first.
  const done = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`.execute(trx)
    const exists = await sql<{ r: string | null }>`select to_regclass(${`audit_partitions.${partition.name}`})::text as r`.execute(trx)
    if (!exists.rows[0].r) return false
    const again = await trx
      .selectFrom('auditEvents')
      .select((eb) => [eb.fn.max('id').as('maxId'), eb.fn.countAll<number>().as('n')])
      .where('at', '>=', partition.from)
      .where('at', '<', partition.to)
      .executeTakeFirstOrThrow()
    if (Number(again.n) !== count || Number(again.maxId ?? 0) !== Number(lastId ?? 0)) {
      throw new AuditArchiveError(`${partition.name} 在归档过程中发生变化，未归档`)
    }
    if ((await newestArchiveHash(trx)) !== prevHash) throw new AuditArchiveError(`另一进程同时在归档，${partition.name} 留待下次`)
    const record = {
      partitionName: partition.name,
      rangeFrom: partition.from,
      rangeTo: partition.to,
      eventCount: count,
      firstId,
      lastId,
      prevHash,
      firstHash,
      lastHash: hash,
      lastAt,
      fileName,
      fileSm3,
      fileBytes: bytes,
    }
    await trx.insertInto('auditArchives').values(record).execute()
    await sql.raw(`alter table audit_events detach partition audit_partitions."${partition.name}"`).execute(trx)
    await sql.raw(`drop table audit_partitions."${partition.name}"`).execute(trx)
    await appendAudit(
      trx,
      { actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at: new Date() },
      {
        action: 'audit.archive.segment',
        objectType: 'audit_partition',
        objectId: partition.name,
        detail: { events: count, firstId, lastId, lastHash: hash, fileName, fileSm3 },
      },
    )
    return true
  })
  if (!done) return null
  // A manifest beside the file, so the archive directory can be checked without the database.
  const manifest = {
    partition: partition.name,
    rangeFrom: partition.from.toISOString(),
    rangeTo: partition.to.toISOString(),
    events: count,
    firstId,
    lastId,
    prevHash,
    firstHash,
    lastHash: hash,
    fileName,
    fileSm3,
    fileBytes: bytes,
  }
  const manifestPath = join(archiveDir, `${partition.name}.manifest.json`)
  await writeFile(`${manifestPath}.partial`, `${JSON.stringify(manifest, null, 2)}\n`)
  await rename(`${manifestPath}.partial`, manifestPath)
  return { partition: partition.name, events: count, firstId, lastId, file: finalPath, fileSm3 }
}

export interface ArchiveVerification {
  ok: boolean
  segments: number
  events: number
  problems: string[]
  online: Awaited<ReturnType<typeof verifyAuditChain>>
  /** The hash the archive files hold for `findEventId` (a checkpoint's event), null when no file holds it. */
  foundHash: string | null
}

/**
 * Checks every archived segment against its file (size, SM3, every link and hash, first and last hash),
 * that the segments follow each other, and that the online chain starts where the archive ends.
 */
export async function verifyAuditArchive(db: Db, archiveDir: string, findEventId?: number): Promise<ArchiveVerification> {
  let foundHash: string | null = null
  const segments = await db.selectFrom('auditArchives').selectAll().orderBy('id').execute()
  const problems: string[] = []
  let expectedPrev = GENESIS_HASH
  let events = 0
  for (const segment of segments) {
    const path = join(archiveDir, segment.fileName)
    if (segment.prevHash !== expectedPrev) problems.push(`${segment.partitionName}：与上一归档段不衔接`)
    let content: Buffer
    try {
      content = await readFile(path)
    } catch {
      problems.push(`${segment.partitionName}：归档文件 ${segment.fileName} 不存在`)
      expectedPrev = segment.lastHash
      continue
    }
    const fileSm3 = createHash('sm3').update(content).digest('hex')
    if (fileSm3 !== segment.fileSm3 || content.length !== Number(segment.fileBytes)) problems.push(`${segment.partitionName}：文件 SM3 或大小与归档记录不符`)
    let hash = segment.prevHash
    let count = 0
    let firstHash: string | null = null
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
    for await (const line of lines) {
      if (!line) continue
      const row = JSON.parse(line)
      if (row.prevHash !== hash || row.hash !== chainHash(hash, chainedFieldsOf(row))) {
        problems.push(`${segment.partitionName}：第 ${count + 1} 行（事件 ${row.id}）校验失败`)
        break
      }
      firstHash ??= row.hash
      hash = row.hash
      if (Number(row.id) === findEventId) foundHash = row.hash
      count++
    }
    if (count !== segment.eventCount || hash !== segment.lastHash || firstHash !== segment.firstHash) {
      problems.push(`${segment.partitionName}：事件数或首末哈希与归档记录不符`)
    }
    events += count
    expectedPrev = segment.lastHash
  }
  const online = await verifyAuditChain(db)
  if (online.startHash !== expectedPrev) problems.push('在线哈希链的起点与最后一个归档段不衔接')
  return { ok: problems.length === 0 && online.ok, segments: segments.length, events, problems, online, foundHash }
}

/**
 * Background tasks: partitions ahead of time and a signed checkpoint of the chain's head every
 * `checkpointMinutes`, always; the archive step once a day when the deployment names its archive
 * directory (GOVSHARE_AUDIT_ARCHIVE_DIR): files then land where they are backed up, never in a default
 * folder by surprise. `npm run govshare -- audit-archive` runs it by hand.
 */
export function auditTasks(checkpoint: CheckpointSettings, checkpointMinutes: number, env: NodeJS.ProcessEnv = process.env): Task[] {
  const settings = auditArchiveSettings(env)
  const tasks: Task[] = [
    { name: 'audit.ensure-partitions', intervalMs: 6 * 3_600_000, run: ensureUpcomingPartitions },
    checkpointTask(checkpoint, checkpointMinutes),
  ]
  if (env.GOVSHARE_AUDIT_ARCHIVE_DIR) {
    tasks.push({
      name: 'audit.archive',
      intervalMs: 24 * 3_600_000,
      run: async (db, now) => (await archiveAuditPartitions(db, { ...settings, now, checkpoint })).archived.length,
    })
  }
  return tasks
}
