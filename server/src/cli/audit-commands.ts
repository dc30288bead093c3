import { resolve } from 'node:path'
import { AuditArchiveError, archiveAuditPartitions, auditArchiveSettings, verifyAuditArchive } from '../platform/audit/archive.ts'
import type { Db } from '../platform/db/database.ts'
import { CliError } from './commands.ts'

/** --online-months / --archive-dir override GOVSHARE_AUDIT_ONLINE_MONTHS / GOVSHARE_AUDIT_ARCHIVE_DIR. */
function settingsOf(args: Record<string, string | undefined>) {
  try {
    return auditArchiveSettings({
      GOVSHARE_AUDIT_ONLINE_MONTHS: args.onlineMonths ?? process.env.GOVSHARE_AUDIT_ONLINE_MONTHS,
      GOVSHARE_AUDIT_ARCHIVE_DIR: args.archiveDir ? resolve(args.archiveDir) : process.env.GOVSHARE_AUDIT_ARCHIVE_DIR,
    })
  } catch (error) {
    throw new CliError((error as Error).message)
  }
}

/** Archives the audit months older than the online retention (files + audit_archives, then the partition goes). */
export async function auditArchiveCommand(db: Db, args: Record<string, string | undefined>) {
  const settings = settingsOf(args)
  try {
    const result = await archiveAuditPartitions(db, { ...settings, now: new Date(), dryRun: args.dryRun === 'true' })
    return { archiveDir: settings.archiveDir, onlineMonths: settings.onlineMonths, cutoff: result.cutoff, archived: result.archived, wouldArchive: result.pending }
  } catch (error) {
    if (error instanceof AuditArchiveError) throw new CliError(error.message)
    throw error
  }
}

/** Verifies the archive files and the online chain; a problem makes the command fail (exit 1). */
export async function auditVerifyCommand(db: Db, args: Record<string, string | undefined>) {
  const settings = settingsOf(args)
  const result = await verifyAuditArchive(db, settings.archiveDir)
  if (!result.ok) {
    const online = result.online.ok ? [] : [`在线哈希链在事件 ${result.online.firstBadId} 处校验失败`]
    throw new CliError(['审计日志校验未通过：', ...result.problems, ...online].join('\n'))
  }
  return { ok: true, archivedSegments: result.segments, archivedEvents: result.events, onlineEvents: result.online.count, headHash: result.online.headHash }
}
