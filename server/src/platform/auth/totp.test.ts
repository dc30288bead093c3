import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { base32Decode, base32Encode, hotp, matchTotp, newTotpSecret, otpauthUri, totpCode, totpStep } from './totp.ts'

// RFC 6238 Appendix B uses the ASCII secret "12345678901234567890" for SHA-1.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'))

describe('TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30 s)', () => {
  test('RFC 4226 Appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
    expected.forEach((code, counter) => assert.equal(hotp(Buffer.from('12345678901234567890'), counter), code))
  })

  test('RFC 6238 Appendix B values (last six digits of the 8-digit vectors)', () => {
    const vectors: [number, string][] = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
      [20000000000, '353130'],
    ]
    for (const [seconds, code] of vectors) assert.equal(totpCode(RFC_SECRET, new Date(seconds * 1000)), code, `T=${seconds}`)
  })

  test('base32 round-trips and matches RFC 4648', () => {
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI')
    assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar')
    assert.equal(base32Decode('mzxw 6ytb-oi======').toString(), 'foobar')
    assert.throws(() => base32Decode('MZXW1'))
    const secret = newTotpSecret()
    assert.match(secret, /^[A-Z2-7]{32}$/)
    assert.equal(base32Decode(secret).length, 20)
  })

  test('a code matches within one step either way, and names its step', () => {
    const at = new Date('2026-03-02T02:00:10Z')
    const secret = newTotpSecret()
    const step = totpStep(at)
    assert.equal(matchTotp(secret, totpCode(secret, at), at), step)
    assert.equal(matchTotp(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at), step - 1)
    assert.equal(matchTotp(secret, totpCode(secret, new Date(at.getTime() + 30_000)), at), step + 1)
    assert.equal(matchTotp(secret, totpCode(secret, new Date(at.getTime() - 90_000)), at), null)
    assert.equal(matchTotp(secret, totpCode(secret, new Date(at.getTime() + 90_000)), at), null)
    assert.equal(matchTotp(secret, '12345', at), null)
    assert.equal(matchTotp(secret, 'abcdef', at), null)
  })

  test('the otpauth URI carries what authenticator apps read', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'gaj_approver', 'GovShare 潍坊'))
    assert.equal(uri.protocol, 'otpauth:')
    assert.equal(uri.host, 'totp')
    assert.equal(decodeURIComponent(uri.pathname), '/GovShare 潍坊:gaj_approver')
    assert.equal(uri.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP')
    assert.equal(uri.searchParams.get('issuer'), 'GovShare 潍坊')
    assert.equal(uri.searchParams.get('digits'), '6')
    assert.equal(uri.searchParams.get('period'), '30')
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1')
  })
})
