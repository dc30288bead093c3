import { timingSafeEqual } from 'node:crypto'
import { verifyPassword } from '../../platform/auth/passwords.ts'
import { deriveKey, sm3HmacHex } from '../../platform/crypto/sm3.ts'

/**
 * App secrets are 256-bit random values (randomToken(32)): nobody can guess one, so a slow password
 * hash adds nothing but a cost every caller (and every flood of wrong secrets) makes the server pay.
 * They are stored as HMAC-SM3 under a key derived from the data key, `hmac-sm3$<key id>$<hex>`, and
 * compared in constant time. Without a data key the HMAC key is a fixed label, so the digest is a plain
 * domain-separated SM3 (as the call log's query digest is then): a random secret still cannot be
 * recovered from it; the data key adds that a copy of the database alone cannot even test a candidate.
 */
const SCHEME = 'hmac-sm3'
const UNKEYED = { id: 'none', key: Buffer.from('govshare-gateway:app-secret') }

interface SecretKey {
  id: string
  key: Buffer
}

const keys = new WeakMap<Buffer, SecretKey>()

function keyOf(dataKey: Buffer | null): SecretKey {
  if (!dataKey) return UNKEYED
  let key = keys.get(dataKey)
  if (!key) {
    const derive = (label: string) => deriveKey(dataKey, `govshare-gateway:app-secret:${label}`)
    key = { id: derive('key-id').subarray(0, 4).toString('hex'), key: derive('hmac') }
    keys.set(dataKey, key)
  }
  return key
}

const mac = (key: SecretKey, secret: string) => sm3HmacHex(key.key, secret)

/** What is stored for a new or rotated secret. */
export const appSecretDigest = (dataKey: Buffer | null, secret: string) => {
  const key = keyOf(dataKey)
  return `${SCHEME}$${key.id}$${mac(key, secret)}`
}

// `stored` comes from the database: anything but 64 hex digits is no match rather than an exception.
const sameDigest = (stored: string, computed: string) =>
  /^[0-9a-f]{64}$/.test(stored) && timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(computed, 'hex'))

// Compared against when the app key is unknown, so that answer costs what a wrong secret does.
const DUMMY = `${SCHEME}$${UNKEYED.id}$${'0'.repeat(64)}`

export type SecretCheck = { ok: false } | { ok: true; upgradeTo: string | null }

/**
 * Checks a presented secret against what is stored (undefined: no such app). A match that is not stored
 * under the current key (an argon2id hash from before, or a digest made while no data key was set) comes
 * with the digest to store in its place, so each old secret is checked the slow way once.
 */
export async function checkAppSecret(dataKey: Buffer | null, stored: string | undefined, secret: string): Promise<SecretCheck> {
  const current = keyOf(dataKey)
  const text = stored ?? DUMMY
  if (text.startsWith('$argon2')) {
    return (await verifyPassword(text, secret)) ? { ok: true, upgradeTo: appSecretDigest(dataKey, secret) } : { ok: false }
  }
  const [scheme, keyId, digest] = text.split('$')
  // A digest under another data key cannot be checked: rotating the data key means rotating app secrets.
  const key = keyId === current.id ? current : keyId === UNKEYED.id ? UNKEYED : null
  const matches = scheme === SCHEME && key !== null && digest !== undefined && sameDigest(digest, mac(key, secret))
  if (!matches || stored === undefined) return { ok: false }
  return { ok: true, upgradeTo: key === current ? null : appSecretDigest(dataKey, secret) }
}
