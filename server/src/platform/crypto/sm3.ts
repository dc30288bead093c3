import { createHash, createHmac, randomBytes } from 'node:crypto'

/** SM3 digest as lower-case hex (GB/T 32905; Node's OpenSSL build provides it). */
export const sm3Hex = (data: string | Buffer) => createHash('sm3').update(data).digest('hex')

/** SM3-HMAC as lower-case hex. */
export const sm3HmacHex = (key: string | Buffer, data: string | Buffer) => createHmac('sm3', key).update(data).digest('hex')

/** A sub-key for one purpose, derived from a master key (HMAC-SM3 of the purpose's label): keys of different purposes never coincide. */
export const deriveKey = (masterKey: Buffer, label: string) => createHmac('sm3', masterKey).update(label).digest()

/** URL-safe random token of `bytes` bytes of entropy. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url')
