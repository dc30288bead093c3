import { type KeyObject, createPrivateKey, createPublicKey, randomBytes, sign, timingSafeEqual, verify } from 'node:crypto'
import { chmod, link, mkdir, open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { deriveKey, sm3Hex, sm3HmacHex } from '../crypto/sm3.ts'

/**
 * Keys that sign audit checkpoints (checkpoint.ts). They never touch the database: with a data key
 * (GOVSHARE_DATA_KEY) the key is derived from it, so whoever can forge a checkpoint already holds the
 * platform's master key; without one, a key file is created in the checkpoint directory, readable by the
 * server's account only, and the promise then rests on the database administrator not having that
 * account (README "Audit checkpoints").
 */

export type CheckpointAlgorithm = 'SM2-SM3' | 'HMAC-SM3'

export interface CheckpointSigner {
  algorithm: CheckpointAlgorithm
  /** Names the key (SM3 of the SM2 public key, or of a tag made with the HMAC key): a checkpoint says which key signed it. */
  keyId: string
  sign(data: Buffer): string
  verify(data: Buffer, signature: string): boolean
  /** SPKI PEM of the SM2 public key, for checking checkpoints elsewhere (null for HMAC). */
  publicKeyPem: string | null
}

// The SM2 curve's order n (GB/T 32918.5); a private key d lies in [1, n - 2].
const SM2_ORDER = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n
// SEC1 ECPrivateKey { version 1, d, [0] curve OID 1.2.156.10197.1.301 (SM2) }: OpenSSL computes the public point.
const SEC1_HEAD = Buffer.from('30310201010420', 'hex')
const SEC1_SM2_CURVE = Buffer.from('a00a06082a811ccf5501822d', 'hex')

/** An SM2 private key from key material (reduced into [1, n - 2]; 48+ bytes keep the reduction's bias negligible). */
function sm2PrivateKey(material: Buffer): KeyObject {
  const d = (BigInt(`0x${material.toString('hex')}`) % (SM2_ORDER - 2n)) + 1n
  const scalar = Buffer.from(d.toString(16).padStart(64, '0'), 'hex')
  return createPrivateKey({ key: Buffer.concat([SEC1_HEAD, scalar, SEC1_SM2_CURVE]), format: 'der', type: 'sec1' })
}

// A known answer: an SM2 signature (default user id 1234567812345678) made by the openssl command line.
// Keys on the SM2 curve that OpenSSL treats as plain EC keys would sign with ECDSA instead: that does
// not verify this, so such a build falls back to HMAC-SM3.
const PROBE = {
  publicKey: 'MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEb3YFPyHUCq4ts5sFPy1onHHpwEluS9WdA5g3/sujjrbpNEixZwZPVfH+r9SBuSgOocsOx1nhD7FW9qGXOW3jdQ==',
  message: 'govshare-sm2-probe',
  signature: 'MEUCICe4DhoLjjEewV/2b0lSQVs/vhFV6ZSkcTv76vDCm2XJAiEA3z6Eag4TzBmTGn56mfJST9zSY6yLhwfSY1O6/pTZQy0=',
}

let sm2Available: boolean | undefined

/** Whether this Node's OpenSSL makes and checks SM2 signatures (Node 20 with OpenSSL 3.0 does). */
export function sm2Supported(): boolean {
  if (sm2Available === undefined) {
    try {
      const publicKey = createPublicKey({ key: Buffer.from(PROBE.publicKey, 'base64'), format: 'der', type: 'spki' })
      const known = verify('sm3', Buffer.from(PROBE.message), publicKey, Buffer.from(PROBE.signature, 'base64'))
      const key = sm2PrivateKey(Buffer.alloc(32, 7))
      const own = verify('sm3', Buffer.from(PROBE.message), createPublicKey(key), sign('sm3', Buffer.from(PROBE.message), key))
      sm2Available = known && own
    } catch {
      sm2Available = false
    }
  }
  return sm2Available
}

function sm2Signer(privateKey: KeyObject): CheckpointSigner {
  const publicKey = createPublicKey(privateKey)
  return {
    algorithm: 'SM2-SM3',
    keyId: sm3Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16),
    sign: (data) => sign('sm3', data, privateKey).toString('base64'),
    verify: (data, signature) => {
      try {
        return verify('sm3', data, publicKey, Buffer.from(signature, 'base64'))
      } catch {
        return false
      }
    },
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

function hmacSigner(key: Buffer): CheckpointSigner {
  const mac = (data: Buffer) => sm3HmacHex(key, data)
  return {
    algorithm: 'HMAC-SM3',
    keyId: mac(Buffer.from('govshare-audit:checkpoint-key-id')).slice(0, 16),
    sign: mac,
    verify: (data, signature) => {
      const expected = Buffer.from(mac(data))
      const given = Buffer.from(String(signature))
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
    publicKeyPem: null,
  }
}

/** Writes a new owner-only file and flushes it to disk before returning. */
export async function writeSynced(path: string, content: string | Buffer, flags: 'w' | 'wx' = 'w') {
  const handle = await open(path, flags, 0o600)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const KEY_FILES: Record<CheckpointAlgorithm, string> = { 'SM2-SM3': 'signing-key.pem', 'HMAC-SM3': 'signing-key.hmac' }

/** Reads the key file, creating it (owner-only, exclusive create: two processes never write two keys) when missing and `create`. */
async function keyFile(dir: string, algorithm: CheckpointAlgorithm, create: boolean): Promise<Buffer | null> {
  const path = join(dir, KEY_FILES[algorithm])
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return null
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const content =
    algorithm === 'SM2-SM3'
      ? Buffer.from(sm2PrivateKey(randomBytes(48)).export({ type: 'pkcs8', format: 'pem' }).toString())
      : Buffer.from(randomBytes(32).toString('hex'))
  const partial = `${path}.${process.pid}.partial`
  await writeSynced(partial, content, 'wx')
  try {
    // link() fails when another process created the key first: then its key is the one.
    await link(partial, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await rm(partial, { force: true })
  }
  await chmod(path, 0o600)
  return readFile(path)
}

/**
 * The signer for `algorithm` (default: SM2 when supported, else HMAC-SM3): derived from the data key when
 * there is one, else from the key file in `dir` (created when `create`; null when it is missing).
 */
export async function checkpointSigner(options: {
  dir: string
  dataKey: Buffer | null
  algorithm?: CheckpointAlgorithm
  create?: boolean
}): Promise<CheckpointSigner | null> {
  const algorithm = options.algorithm ?? (sm2Supported() ? 'SM2-SM3' : 'HMAC-SM3')
  if (algorithm === 'SM2-SM3' && !sm2Supported()) return null
  if (options.dataKey) {
    const label = `govshare-audit:checkpoint:${algorithm}`
    if (algorithm === 'HMAC-SM3') return hmacSigner(deriveKey(options.dataKey, label))
    return sm2Signer(sm2PrivateKey(Buffer.concat([deriveKey(options.dataKey, `${label}:1`), deriveKey(options.dataKey, `${label}:2`)])))
  }
  const stored = await keyFile(options.dir, algorithm, options.create ?? false)
  if (!stored) return null
  return algorithm === 'SM2-SM3' ? sm2Signer(createPrivateKey(stored)) : hmacSigner(Buffer.from(stored.toString().trim(), 'hex'))
}
