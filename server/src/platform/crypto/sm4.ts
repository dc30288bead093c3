import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { deriveKey } from './sm3.ts'

/**
 * SM4 encryption for data at rest (SPEC §8.1 S3, §8.3 S10): SM4-CBC with a random IV, then an
 * HMAC-SM3 over version, context, IV and ciphertext (encrypt-then-MAC, so a tampered value is
 * refused before decryption). The key comes from the deployment's configuration, never from the
 * database that holds the ciphertext.
 *
 * Output: `v1.<base64url(iv ‖ ciphertext ‖ mac)>`.
 *
 * @example
 *   const box = sm4Box(config.dataKey)
 *   const stored = box.seal('JBSWY3DPEHPK3PXP', 'user_totp:<userId>')
 *   box.open(stored, 'user_totp:<userId>') // 'JBSWY3DPEHPK3PXP'
 */
export interface Sm4Box {
  seal(plaintext: string | Buffer, context?: string): string
  open(sealed: string, context?: string): string
  openBuffer(sealed: string, context?: string): Buffer
}

const VERSION = 'v1'
const IV_BYTES = 16
const MAC_BYTES = 32

export class Sm4Error extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Sm4Error'
  }
}

/** Separate keys for encryption and MAC, derived from one master key (never use one key for both). */
function deriveKeys(masterKey: Buffer) {
  if (masterKey.length < 16) throw new Sm4Error('SM4 master key must have at least 16 bytes')
  const derive = (label: string) => deriveKey(masterKey, `govshare-sm4:${label}`)
  return { encKey: derive('enc').subarray(0, 16), macKey: derive('mac') }
}

/**
 * Builds a sealer for one master key. `context` binds a ciphertext to where it is stored (table and
 * row), so a value copied to another row does not decrypt there.
 */
export function sm4Box(masterKey: Buffer): Sm4Box {
  const { encKey, macKey } = deriveKeys(masterKey)
  const macOf = (context: string, body: Buffer) => createHmac('sm3', macKey).update(`${VERSION}\n${context}\n`).update(body).digest()

  const openBuffer = (sealed: string, context = '') => {
    const [version, payload] = sealed.split('.', 2)
    if (version !== VERSION || !payload) throw new Sm4Error('unknown ciphertext format')
    const raw = Buffer.from(payload, 'base64url')
    if (raw.length < IV_BYTES + 16 + MAC_BYTES) throw new Sm4Error('ciphertext too short')
    const body = raw.subarray(0, raw.length - MAC_BYTES)
    const mac = raw.subarray(raw.length - MAC_BYTES)
    if (!timingSafeEqual(mac, macOf(context, body))) throw new Sm4Error('ciphertext failed its integrity check')
    const decipher = createDecipheriv('sm4-cbc', encKey, body.subarray(0, IV_BYTES))
    return Buffer.concat([decipher.update(body.subarray(IV_BYTES)), decipher.final()])
  }

  return Object.freeze({
    seal(plaintext: string | Buffer, context = '') {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('sm4-cbc', encKey, iv)
      const body = Buffer.concat([iv, cipher.update(plaintext), cipher.final()])
      return `${VERSION}.${Buffer.concat([body, macOf(context, body)]).toString('base64url')}`
    },
    openBuffer,
    open: (sealed: string, context = '') => openBuffer(sealed, context).toString('utf8'),
  })
}

/**
 * Reads a master key from configuration text: 32 or 64 hex digits, or base64 of 16+ bytes.
 * Returns null for empty input; throws for anything too short to be a key.
 */
export function parseDataKey(text: string | undefined): Buffer | null {
  const value = text?.trim()
  if (!value) return null
  const key = /^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
  if (key.length < 16) throw new Sm4Error('GOVSHARE_DATA_KEY must hold at least 16 bytes (32 hex digits or base64)')
  return key
}

/**
 * The compact form of SM4 at rest, for values stored by the million (mounted tables): bytes, not text.
 * `0x02 ‖ nonce (12 bytes) ‖ SM4-CTR ciphertext (as long as the value) ‖ MAC (16 bytes)`, the MAC an
 * HMAC-SM3 over the version, context, nonce and ciphertext, cut to 128 bits. 29 bytes over the value,
 * against 3 + ⌈(16 + padded value + 32) × 4/3⌉ characters in the text form. CTR keys are derived apart
 * from CBC's, so the two forms never share a key.
 */
export interface Sm4CompactBox {
  seal(plaintext: string | Buffer, context: string): Buffer
  open(sealed: Uint8Array, context: string): Buffer
}

const COMPACT_VERSION = 2
const NONCE_BYTES = 12
const COMPACT_MAC_BYTES = 16

export function sm4CompactBox(masterKey: Buffer): Sm4CompactBox {
  if (masterKey.length < 16) throw new Sm4Error('SM4 master key must have at least 16 bytes')
  const encKey = deriveKey(masterKey, 'govshare-sm4-compact:enc').subarray(0, 16)
  const macKey = deriveKey(masterKey, 'govshare-sm4-compact:mac')
  const counterBlock = (nonce: Uint8Array) => Buffer.concat([nonce, Buffer.alloc(16 - NONCE_BYTES)])
  const macOf = (context: string, body: Uint8Array) =>
    createHmac('sm3', macKey).update(`v${COMPACT_VERSION}\n${context}\n`).update(body).digest().subarray(0, COMPACT_MAC_BYTES)
  return Object.freeze({
    seal(plaintext: string | Buffer, context: string) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('sm4-ctr', encKey, counterBlock(nonce))
      const body = Buffer.concat([Buffer.of(COMPACT_VERSION), nonce, cipher.update(plaintext), cipher.final()])
      return Buffer.concat([body, macOf(context, body)])
    },
    open(sealed: Uint8Array, context: string) {
      const raw = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
      if (raw.length < 1 + NONCE_BYTES + COMPACT_MAC_BYTES || raw[0] !== COMPACT_VERSION) throw new Sm4Error('unknown ciphertext format')
      const body = raw.subarray(0, raw.length - COMPACT_MAC_BYTES)
      if (!timingSafeEqual(raw.subarray(raw.length - COMPACT_MAC_BYTES), macOf(context, body))) throw new Sm4Error('ciphertext failed its integrity check')
      const decipher = createDecipheriv('sm4-ctr', encKey, counterBlock(body.subarray(1, 1 + NONCE_BYTES)))
      return Buffer.concat([decipher.update(body.subarray(1 + NONCE_BYTES)), decipher.final()])
    },
  })
}
