import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../testing/template.ts'

test('zone-export on a 外网 instance and zone-import on a 内网 instance, through npm, with a replay and a tampered file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-cli-zone-'))
  try {
    const keyDir = join(dir, 'zone-key')
    const instance =
      (zone: 'extranet' | 'intranet', extra: Record<string, string> = {}) =>
      (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', ...args], {
          cwd: PROJECT_ROOT,
          env: {
            ...process.env,
            DATABASE_URL: '',
            GOVSHARE_DATA_DIR: join(dir, zone),
            GOVSHARE_NETWORK_ZONE: zone,
            GOVSHARE_ZONE_KEY_DIR: keyDir,
            GOVSHARE_ZONE_TRUSTED_KEY: '',
            ...extra,
          },
          encoding: 'utf8',
          timeout: 180_000,
        })
    const json = (stdout: string) => JSON.parse(stdout.slice(stdout.indexOf('{')))
    const extranet = instance('extranet')
    const file = join(dir, 'catalog.json')

    const exported = extranet('zone-export', '--out', file)
    assert.equal(exported.status, 0, exported.stderr)
    const summary = json(exported.stdout)
    assert.equal(summary.file, file)
    const again = extranet('zone-export', '--out', file)
    assert.equal(again.status, 1)
    assert.match(again.stderr, /已存在/)

    const untrusted = instance('intranet')('zone-import', '--file', file)
    assert.equal(untrusted.status, 1)
    assert.match(untrusted.stderr, /未配置受信任的外网实例公钥/)
    const intranet = instance('intranet', { GOVSHARE_ZONE_TRUSTED_KEY: summary.publicKeyFile })
    assert.equal(intranet('zone-export', '--out', join(dir, 'x.json')).status, 1, 'the 内网 instance does not export')

    const imported = intranet('zone-import', '--file', file)
    assert.equal(imported.status, 0, imported.stderr)
    assert.equal(json(imported.stdout).exportId, summary.exportId)
    const replay = intranet('zone-import', '--file', file)
    assert.equal(replay.status, 1)
    assert.match(replay.stderr, /不重复导入/)

    const envelope = JSON.parse(readFileSync(file, 'utf8'))
    const tampered = join(dir, 'tampered.json')
    writeFileSync(tampered, JSON.stringify({ ...envelope, payload: envelope.payload.replace(summary.exportId, crypto.randomUUID()) }))
    const refused = intranet('zone-import', '--file', tampered)
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /签名校验失败/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
