import { loadConfig } from '../platform/config/config.ts'
import { prepareDatabase } from '../platform/db/bootstrap.ts'
import { DataDirLockedError, lockDataDir } from '../platform/db/data-dir-lock.ts'
import { openDatabase } from '../platform/db/database.ts'
import { auditArchiveCommand, auditVerifyCommand } from './audit-commands.ts'
import { CliError, USAGE, createOrgCommand, createUserCommand, initCommand, parseArgs } from './commands.ts'
import { zoneExportCommand, zoneImportCommand } from './zone-commands.ts'

async function run() {
  const [command, ...rest] = process.argv.slice(2)
  const commands = {
    init: initCommand,
    'create-org': createOrgCommand,
    'create-user': createUserCommand,
    'audit-archive': auditArchiveCommand,
    'audit-verify': auditVerifyCommand,
    'zone-export': zoneExportCommand,
    'zone-import': zoneImportCommand,
  } as const
  if (!command || (command !== 'migrate' && !(command in commands))) {
    console.log(USAGE)
    process.exit(command ? 64 : 0)
  }
  const args = parseArgs(command, rest)
  args.password ??= process.env.GOVSHARE_PASSWORD
  const config = loadConfig()
  const release = config.databaseUrl ? null : await lockDataDir(config.dataDir)
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl, poolSize: 2 } : { dataDir: config.dataDir })
  try {
    await prepareDatabase(database.db)
    if (command === 'migrate') return console.log('数据库已是最新结构')
    const result = await commands[command as keyof typeof commands](database.db, args, config)
    console.log(JSON.stringify(result, null, 2))
  } finally {
    await database.close()
    await release?.()
  }
}

run().catch((error) => {
  if (error instanceof CliError || error instanceof DataDirLockedError) {
    console.error(error.message)
    process.exit(1)
  }
  console.error(error)
  process.exit(1)
})
