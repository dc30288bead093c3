import { resolve } from 'node:path'
import { AuditArchiveError, archiveAuditPartitions, auditArchiveSettings, verifyAuditArchive } from '../platform/audit/archive.ts'
import { type CheckpointCheck, checkChainAgainstCheckpoint, checkpointSettingsOf } from '../platform/audit/checkpoint.ts'
import type { Config } from '../platform/config/config.ts'
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

/** --checkpoint-dir overrides GOVSHARE_AUDIT_CHECKPOINT_DIR. */
const checkpointsOf = (args: Record<string, string | undefined>, config: Config) =>
  checkpointSettingsOf({ ...config, auditCheckpointDir: args.checkpointDir ? resolve(args.checkpointDir) : config.auditCheckpointDir })

/** Archives the audit months older than the online retention (files + audit_archives, then the partition goes), then writes a checkpoint. */
export async function auditArchiveCommand(db: Db, args: Record<string, string | undefined>, config: Config) {
  const settings = settingsOf(args)
  try {
    const result = await archiveAuditPartitions(db, { ...settings, now: new Date(), dryRun: args.dryRun === 'true', checkpoint: checkpointsOf(args, config) })
    return {
      archiveDir: settings.archiveDir,
      onlineMonths: settings.onlineMonths,
      cutoff: result.cutoff,
      archived: result.archived,
      wouldArchive: result.pending,
    }
  } catch (error) {
    if (error instanceof AuditArchiveError) throw new CliError(error.message)
    throw error
  }
}

/**
 * Verifies the archive files, the online chain and the chain against the latest checkpoint (a checkpoint
 * whose event is archived is checked against the archive file); a problem makes the command fail (exit 1).
 */
export async function auditVerifyCommand(db: Db, args: Record<string, string | undefined>, config: Config) {
  const settings = settingsOf(args)
  let checkpoint: CheckpointCheck = await checkChainAgainstCheckpoint(db, checkpointsOf(args, config))
  const archivedEvent = checkpoint.code === 'CHECKPOINT_ARCHIVED' ? checkpoint.checkpoint!.eventId : undefined
  const result = await verifyAuditArchive(db, settings.archiveDir, archivedEvent)
  if (archivedEvent !== undefined) {
    checkpoint =
      result.foundHash === checkpoint.checkpoint!.hash
        ? { ...checkpoint, ok: true, code: 'CHECKPOINT_MATCHED', message: `归档文件包含检查点所记的事件 ${archivedEvent}，哈希一致` }
        : { ...checkpoint, ok: false, code: 'CHAIN_REWRITTEN', message: `归档文件中事件 ${archivedEvent} 的哈希与检查点不符或缺失` }
  }
  if (!result.ok || !checkpoint.ok) {
    const online = result.online.ok ? [] : [`在线哈希链在事件 ${result.online.firstBadId} 处校验失败`]
    const pinned = checkpoint.ok ? [] : [`${checkpoint.message}（${checkpoint.code}）`]
    throw new CliError(['审计日志校验未通过：', ...result.problems, ...online, ...pinned].join('\n'))
  }
  return {
    ok: true,
    archivedSegments: result.segments,
    archivedEvents: result.events,
    onlineEvents: result.online.count,
    headHash: result.online.headHash,
    checkpoint: { code: checkpoint.code, message: checkpoint.message, file: checkpoint.file },
  }
}
