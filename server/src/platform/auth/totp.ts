import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second steps,
 * the parameters every common authenticator app uses by default. SHA-1 here is what the apps
 * implement; HOTP's truncation keeps it safe for this use (RFC 4226 §B).
 */
export const TOTP_STEP_SECONDS = 30
export const TOTP_DIGITS = 6
/** Codes of the previous and next step are accepted too: phones' clocks drift. */
export const TOTP_WINDOW = 1

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32 without padding (what otpauth:// URIs carry). */
export function base32Encode(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '')
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const char of clean) {
    const index = BASE32.indexOf(char)
    if (index < 0) throw new Error('invalid base32')
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits), base32. */
export const newTotpSecret = () => base32Encode(randomBytes(20))

/** The time step a moment falls in. */
export const totpStep = (at: Date) => Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS)

/** HOTP value for one counter (RFC 4226 §5.3), as a zero-padded string. */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac('sha1', secret).update(message).digest()
  const offset = mac[mac.length - 1] & 0x0f
  const code = mac.readUInt32BE(offset) & 0x7fffffff
  return String(code % 10 ** digits).padStart(digits, '0')
}

export const totpCode = (secretBase32: string, at: Date) => hotp(base32Decode(secretBase32), totpStep(at))

/**
 * The step whose code matches (within ±TOTP_WINDOW of `at`), or null. Callers refuse a step not
 * newer than the last one accepted, so a code cannot be used twice.
 */
export function matchTotp(secretBase32: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const secret = base32Decode(secretBase32)
  const now = totpStep(at)
  let matched: number | null = null
  // Every candidate is computed, so the time taken does not tell which step matched.
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code)) && matched === null) matched = step
  }
  return matched
}

/** The otpauth:// URI authenticator apps read from a QR code (Google Authenticator key URI format). */
export function otpauthUri(secretBase32: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`)
  const params = new URLSearchParams({ secret: secretBase32, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) })
  return `otpauth://totp/${label}?${params.toString().replace(/\+/g, '%20')}`
}
