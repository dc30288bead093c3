import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../../testing/template.ts'
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts'

test('a second server on the same embedded data directory exits with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-lock-'))
  const dataDir = join(dir, 'pglite')
  const release = await lockDataDir(dataDir)
  try {
    await assert.rejects(lockDataDir(dataDir), DataDirLockedError)
    // Asynchronous on purpose: a blocked event loop would stop the lock's heartbeat and let it go stale.
    const second = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, GOVSHARE_DATA_DIR: dataDir, PORT: '0', DATABASE_URL: '' },
      })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk))
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
      child.on('close', (status) => {
        clearTimeout(timer)
        resolve({ status, stderr })
      })
    })
    assert.equal(second.status, 2, second.stderr)
    assert.match(second.stderr, /已被另一个 GovShare 进程占用/)
  } finally {
    await release()
    rmSync(dir, { recursive: true, force: true })
  }
})
