import { createHmac } from 'node:crypto'
import { deriveKey } from '../../../platform/crypto/sm3.ts'
import { type Sm4Box, type Sm4CompactBox, sm4Box, sm4CompactBox } from '../../../platform/crypto/sm4.ts'
import type { MountColumn, StoredItem } from '../../../platform/db/schema.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { parseValue } from '../ingest/values.ts'

/**
 * SM4 at rest for mounted data (SPEC §8.1 S3, §8.3 S10).
 *
 * When the deployment has a data key (GOVSHARE_DATA_KEY; the key is never stored in the database),
 * every item the catalog flags `sensitive` (except the timestamp item, which the update clock reads)
 * is stored in the managed table as SM4-CBC + HMAC-SM3 ciphertext (platform/crypto/sm4.ts), bound to
 * its resource and item, plus a keyed SM3 digest of its canonical value in a second column `_d_<n>`.
 *
 * - Lookups (`?id_no=…`) and `eq` / `in` row filters compare digests, so they stay exact and indexed
 *   (a sealed primary key's unique index is on its digest).
 * - `prefix` and range filters cannot be answered from ciphertext: the gateway refuses them with
 *   409 FILTER_ON_ENCRYPTED_ITEM (the provider narrows the grant with eq/in instead).
 * - The gateway decrypts, then masks, before data leaves. A batch sealed under another key (or read
 *   with no key configured) is refused with 503 DATA_KEY_UNAVAILABLE, never returned as ciphertext.
 * - Without a data key, uploads store plain values as before; existing batches keep their form until
 *   the next upload.
 */
export interface AtRestSealer {
  /** Fingerprint of the key (HMAC-SM3 of a fixed label): recorded with the batch, reveals nothing. */
  keyId: string
  box: Sm4Box
  compact: Sm4CompactBox
  digestKey: Buffer
}

/**
 * How new batches store sealed cells: format 2, bytes (bytea) for the ciphertext (sm4CompactBox) and the
 * first 16 bytes of the keyed digest. Format 1 (text `v1.<base64url>` and 64 hex digits) took 5.6× the
 * plain table's space (bench/README.md); batches stored in it are still read, each column by its own format.
 */
export const SEAL_FORMAT = 2 as const
export type SealFormat = 1 | typeof SEAL_FORMAT
export const formatOf = (column: Pick<MountColumn, 'sealed'>): SealFormat => (column.sealed?.format === 2 ? 2 : 1)
const DIGEST_BYTES = 16

const cache = new WeakMap<Buffer, AtRestSealer>()

export function atRestSealer(dataKey: Buffer | null): AtRestSealer | null {
  if (!dataKey) return null
  let sealer = cache.get(dataKey)
  if (!sealer) {
    const derive = (label: string) => deriveKey(dataKey, `govshare-mounts:${label}`)
    sealer = { keyId: derive('key-id').subarray(0, 8).toString('hex'), box: sm4Box(dataKey), compact: sm4CompactBox(dataKey), digestKey: derive('digest') }
    cache.set(dataKey, sealer)
  }
  return sealer
}

/** Whether an item is stored sealed when a key is configured. */
export const isSealable = (item: Pick<StoredItem, 'sensitive' | 'isTimestamp'>) => item.sensitive === true && !item.isTimestamp

/** The digest column of the `index`-th item column (cannot clash: item columns start with a letter). */
export const digestColumnName = (index: number) => `_d_${index + 1}`

const contextOf = (resourceId: string, itemId: string) => `mounted:${resourceId}:${itemId}`

/** The SQL type of a sealed cell and of its digest, by format. */
export const sealedSqlTypes = (format: SealFormat) => (format === 2 ? { value: 'bytea', digest: 'bytea' } : { value: 'text', digest: 'char(64)' })

/**
 * A sealed cell as PostgreSQL reads it in text form (COPY, array and parameter input): format 2 as bytea's
 * hex input, `\x…`, which the database stores as bytes.
 */
export function sealValue(sealer: AtRestSealer, resourceId: string, itemId: string, canonical: string, format: SealFormat = SEAL_FORMAT): string {
  const context = contextOf(resourceId, itemId)
  return format === 2 ? `\\x${sealer.compact.seal(canonical, context).toString('hex')}` : sealer.box.seal(canonical, context)
}

/**
 * Keyed SM3 of a canonical value (values.ts): equal values, equal digests; nothing else learnable. In the
 * column's format: 64 hex digits (1), or bytea hex input of its first 128 bits (2), compared by the index as bytes.
 */
export function digestValue(sealer: AtRestSealer, itemId: string, canonical: string, format: SealFormat = SEAL_FORMAT): string {
  const digest = createHmac('sm3', sealer.digestKey).update(`${itemId}\n${canonical}`).digest()
  return format === 2 ? `\\x${digest.subarray(0, DIGEST_BYTES).toString('hex')}` : digest.toString('hex')
}

/** The canonical text of a lookup value for an item's type, or null when no stored value could equal it. */
export function canonicalLookup(item: StoredItem, raw: string): string | null {
  const parsed = parseValue(item, raw)
  return parsed.ok ? parsed.value : null
}

export const dataKeyUnavailable = () =>
  new AppError(503, 'DATA_KEY_UNAVAILABLE', '提供方数据为加密存储，本实例未配置对应的数据密钥（GOVSHARE_DATA_KEY），暂不能提供')

/** The sealer that can read a sealed column, or a 503 when this instance lacks that key. */
export function sealerFor(column: MountColumn, dataKey: Buffer | null): AtRestSealer {
  const sealer = atRestSealer(dataKey)
  if (!sealer || !column.sealed || sealer.keyId !== column.sealed.keyId) throw dataKeyUnavailable()
  return sealer
}

/**
 * Decrypts a sealed cell and gives it the JavaScript form a plain column of the item's type reads as
 * (platform/db/database.ts parsers): numbers for I/B/F, booleans for L, strings for the rest.
 */
export function openSealedValue(sealer: AtRestSealer, resourceId: string, column: MountColumn, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null
  const context = contextOf(resourceId, column.itemId)
  const text = stored instanceof Uint8Array ? sealer.compact.open(stored, context).toString('utf8') : sealer.box.open(String(stored), context)
  switch (column.dataType) {
    case 'I':
    case 'B':
    case 'F':
      return Number(text)
    case 'L':
      return text === 'true' || text === 't'
    default:
      return text
  }
}
