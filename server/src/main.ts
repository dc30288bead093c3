import { buildApp } from './app.ts'
import { loadDemo } from './demo/load-demo.ts'
import { demandTasks } from './modules/demands/index.ts'
import { cleanupStaleBatches, mountTasks } from './modules/mounts/index.ts'
import { objectionTasks } from './modules/objections/index.ts'
import { sharingTasks } from './modules/sharing/index.ts'
import { evaluationTasks } from './modules/evaluation/index.ts'
import { catalogClockTasks } from './modules/catalog/index.ts'
import { freshnessTasks } from './modules/freshness/index.ts'
import { exchangeTasks } from './modules/exchange/index.ts'
import { loadConfig } from './platform/config/config.ts'
import { isEmptyDeployment, prepareDatabase } from './platform/db/bootstrap.ts'
import { DataDirLockedError, lockDataDir } from './platform/db/data-dir-lock.ts'
import { openDatabase } from './platform/db/database.ts'
import { maintenanceTasks } from './platform/db/maintenance.ts'
import { startScheduler } from './platform/jobs/scheduler.ts'
import { auditTasks } from './platform/audit/archive.ts'
import { checkpointSettingsOf } from './platform/audit/checkpoint.ts'
import { clockFromEnv, taskIntervalFromEnv } from './testing/env-clock.ts'

/** What the first start says while the demo loads (steps of server/src/demo/load-demo.ts). */
const DEMO_STEPS: Record<string, string> = {
  directory: 'demo: organisations, accounts and catalog classes created',
  catalog: 'demo: compiling, reviewing and mounting catalog entries',
  sharing: 'demo: catalog loaded; creating share requests, grants and gateway calls',
}

/** Start-up only: lock and open the database, migrate, load the demo when empty, listen, close gracefully. */
async function main() {
  const config = loadConfig()
  // Test mode only (NODE_ENV=test): a movable clock and short task intervals for spawned-server tests.
  const clock = clockFromEnv()
  const interval = taskIntervalFromEnv()
  const releaseLock = config.databaseUrl ? null : await lockDataDir(config.dataDir)
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir })
  const tasks = [
    ...sharingTasks,
    ...catalogClockTasks,
    ...objectionTasks,
    ...demandTasks,
    ...evaluationTasks,
    ...freshnessTasks,
    ...exchangeTasks,
    ...mountTasks,
    ...auditTasks(checkpointSettingsOf(config), config.auditCheckpointMinutes),
    ...maintenanceTasks(database.kind),
  ]
  const app = await buildApp({ db: database.db, dbKind: database.kind, pgPool: database.pgPool, config, clock, logger: { level: config.logLevel } })
  const { applied } = await prepareDatabase(database.db)
  if (applied.length > 0) app.log.info({ applied }, 'migrations applied')
  // Uploads cut short by a crash leave half-loaded tables behind; the previous batch is still the active one.
  const cleaned = await cleanupStaleBatches(database.db)
  if (cleaned.droppedTables.length > 0) app.log.warn(cleaned, 'dropped tables of interrupted uploads')
  if (database.kind === 'pglite' && config.demo === 'auto' && (await isEmptyDeployment(database.db))) {
    app.log.info('empty embedded database: loading the Weifang demo data (about a minute)')
    const summary = await loadDemo(database.db, config, (step, counts) => app.log.info({ step, ...counts }, DEMO_STEPS[step] ?? step))
    app.log.info(summary, 'demo data loaded (every demo user has the password Govshare@2026)')
  }

  const stopScheduler = startScheduler(database.db, interval ? tasks.map((task) => ({ ...task, intervalMs: interval })) : tasks, app.log, clock)
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    stopScheduler()
    await app.close()
    await database.close()
    await releaseLock?.()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await app.listen({ host: config.host, port: config.port })
  app.log.info(`GovShare (${database.kind}) listening on http://${config.host}:${config.port} — API docs at /api/docs`)
}

main().catch((error) => {
  if (error instanceof DataDirLockedError) {
    console.error(error.message)
    process.exit(2)
  }
  console.error(error)
  process.exit(1)
})
