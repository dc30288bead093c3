import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../testing/template.ts'

test('audit-archive and audit-verify run through npm on an embedded data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-cli-audit-'))
  try {
    const env = { ...process.env, GOVSHARE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: '', GOVSHARE_AUDIT_ARCHIVE_DIR: join(dir, 'archive') }
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', ...args], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 180_000 })
    const dry = run('audit-archive', '--dry-run')
    assert.equal(dry.status, 0, dry.stderr)
    const planned = JSON.parse(dry.stdout.slice(dry.stdout.indexOf('{')))
    assert.equal(planned.onlineMonths, 6)
    assert.deepEqual(planned.wouldArchive, [])
    const tooShort = run('audit-archive', '--online-months', '3')
    assert.equal(tooShort.status, 1)
    assert.match(tooShort.stderr, /不小于 6/)
    const verify = run('audit-verify')
    assert.equal(verify.status, 0, verify.stderr)
    assert.equal(JSON.parse(verify.stdout.slice(verify.stdout.indexOf('{'))).ok, true)
    const usage = run()
    assert.match(usage.stdout, /audit-archive/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
