import { mkdirSync } from 'node:fs'
import lockfile from 'proper-lockfile'

/**
 * PGlite is one process per data directory and has no lock of its own: a second writer silently
 * loses data (STACK.md §1). The server therefore holds an exclusive lock for its whole life.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true })
  try {
    return await lockfile.lock(dataDir, { lockfilePath: `${dataDir}.lock`, stale: 15_000, update: 5_000 })
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      throw new DataDirLockedError(dataDir)
    }
    throw error
  }
}

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `数据目录 ${dataDir} 已被另一个 GovShare 进程占用（内嵌数据库只允许一个进程打开）。` +
        `请先停止该进程，或用 GOVSHARE_DATA_DIR 指定其他目录，或用 DATABASE_URL 连接 PostgreSQL。`,
    )
    this.name = 'DataDirLockedError'
  }
}
