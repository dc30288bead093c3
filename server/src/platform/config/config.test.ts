import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig, parseOrigins } from './config.ts'

describe('security settings', () => {
  test('defaults are closed: no CORS origin, no HSTS, no TOTP requirement, login limits on', () => {
    const config = loadConfig({})
    assert.deepEqual(config.corsOrigins, [])
    assert.equal(config.hstsMaxAgeSeconds, 0)
    assert.equal(config.dataKey, null)
    assert.equal(config.totpRequired, false)
    assert.equal(config.loginFailuresPerIp, 20)
    assert.equal(config.loginFailuresPerUser, 10)
    assert.equal(config.bodyLimitBytes, 1_048_576)
  })

  test('CORS origins must be bare origins', () => {
    assert.deepEqual(parseOrigins(' https://a.example , http://127.0.0.1:5173/ '), ['https://a.example', 'http://127.0.0.1:5173'])
    for (const bad of ['*', 'a.example', 'https://a.example/path', 'ftp://a.example', 'https://a.example?x=1']) {
      assert.throws(() => parseOrigins(bad), /GOVSHARE_CORS_ORIGINS/, bad)
    }
  })

  test('mandatory TOTP needs a data key; numbers must be non-negative integers', () => {
    assert.throws(() => loadConfig({ GOVSHARE_TOTP_REQUIRED: 'true' }), /GOVSHARE_DATA_KEY/)
    const config = loadConfig({ GOVSHARE_TOTP_REQUIRED: 'true', GOVSHARE_DATA_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' })
    assert.equal(config.totpRequired, true)
    assert.equal(config.dataKey?.length, 32)
    assert.throws(() => loadConfig({ GOVSHARE_DATA_KEY: 'abc' }), /16 bytes/)
    assert.throws(() => loadConfig({ GOVSHARE_HSTS_MAX_AGE: '-1' }), /GOVSHARE_HSTS_MAX_AGE/)
    assert.throws(() => loadConfig({ GOVSHARE_LOGIN_MAX_FAILURES_PER_IP: 'many' }), /GOVSHARE_LOGIN_MAX_FAILURES_PER_IP/)
    assert.equal(loadConfig({ GOVSHARE_LOGIN_MAX_FAILURES_PER_USER: '0' }).loginFailuresPerUser, 0)
  })
})
