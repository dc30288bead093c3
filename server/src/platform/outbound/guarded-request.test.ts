import assert from 'node:assert/strict'
import { test } from 'node:test'
import { systemResolveHost } from './guarded-request.ts'

test('.invalid names get a negative answer at once, without asking DNS (RFC 6761 §6.4)', async () => {
  for (const name of ['upstream.invalid', 'UPSTREAM.INVALID.', 'invalid']) {
    await assert.rejects(systemResolveHost(name), (error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND')
  }
})
