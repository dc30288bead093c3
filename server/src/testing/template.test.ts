import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sourceKey } from './template.ts'

test('the source key changes with any source file at any depth, not with tests', () => {
  const root = mkdtempSync(join(tmpdir(), 'govshare-source-key-'))
  try {
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), text)
    }
    write('server/src/app.ts', 'a')
    write('server/src/modules/gateway/read/plan.ts', 'b')
    write('server/src/modules/gateway/read/plan.test.ts', 't')
    write('common/policy/x.ts', 'c')
    const key = () => sourceKey(['server/src', 'common'], root)
    const first = key()
    assert.match(first, /^[0-9a-f]{12}$/)
    assert.equal(key(), first)
    write('server/src/modules/gateway/read/plan.test.ts', 'changed test')
    assert.equal(key(), first, 'tests do not change what the cache holds')
    write('server/src/modules/gateway/read/plan.ts', 'b2')
    const second = key()
    assert.notEqual(second, first)
    write('common/policy/x.ts', 'c2')
    assert.notEqual(key(), second)
    write('server/src/platform/new-file.ts', '')
    assert.notEqual(key(), second)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
