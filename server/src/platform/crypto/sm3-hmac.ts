import { createHash } from 'node:crypto'

/**
 * HMAC-SM3 of many short messages under one key, in JavaScript (GB/T 32905, RFC 2104). Node's createHmac costs
 * a native object and its setup per message; here the key's inner and outer states are computed once and each
 * message costs two compressions and no allocation beyond its hex string. Checked against createHmac in
 * sm3-hmac.test.ts.
 */

const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]
const T = new Int32Array(64)
for (let j = 0; j < 64; j++) {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a
  const r = j % 32
  T[j] = r === 0 ? t : (t << r) | (t >>> (32 - r))
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n))

/** Compresses the 64-byte blocks of `bytes` from `offset` into `v` (in place). */
function compress(v: Int32Array, w: Int32Array, bytes: Uint8Array, offset: number, blocks: number) {
  for (let b = 0; b < blocks; b++, offset += 64) {
    for (let i = 0; i < 16; i++) {
      const o = offset + i * 4
      w[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]
    }
    for (let j = 16; j < 68; j++) {
      const x = w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)
      w[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(w[j - 13], 7) ^ w[j - 6]
    }
    let a = v[0]
    let bb = v[1]
    let c = v[2]
    let d = v[3]
    let e = v[4]
    let f = v[5]
    let g = v[6]
    let h = v[7]
    // Rounds 0–15 and 16–63 differ only in FF and GG: two loops, no branch per round.
    for (let j = 0; j < 16; j++) {
      const a12 = rotl(a, 12)
      const ss1 = rotl((a12 + e + T[j]) | 0, 7)
      const tt1 = ((a ^ bb ^ c) + d + (ss1 ^ a12) + (w[j] ^ w[j + 4])) | 0
      const tt2 = ((e ^ f ^ g) + h + ss1 + w[j]) | 0
      d = c
      c = rotl(bb, 9)
      bb = a
      a = tt1
      h = g
      g = rotl(f, 19)
      f = e
      e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)
    }
    for (let j = 16; j < 64; j++) {
      const a12 = rotl(a, 12)
      const ss1 = rotl((a12 + e + T[j]) | 0, 7)
      const ss2 = ss1 ^ a12
      const ff = (a & bb) | (a & c) | (bb & c)
      const gg = (e & f) | (~e & g)
      const tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) | 0
      const tt2 = (gg + h + ss1 + w[j]) | 0
      d = c
      c = rotl(bb, 9)
      bb = a
      a = tt1
      h = g
      g = rotl(f, 19)
      f = e
      e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)
    }
    v[0] ^= a
    v[1] ^= bb
    v[2] ^= c
    v[3] ^= d
    v[4] ^= e
    v[5] ^= f
    v[6] ^= g
    v[7] ^= h
  }
}

/** `(message) => HMAC-SM3(key, message)` as lower-case hex, the same value as createHmac('sm3', key). */
export function sm3HmacHexer(key: string | Buffer): (message: string) => string {
  let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  if (k.length > 64) k = createHash('sm3').update(k).digest()
  const pad = new Uint8Array(64)
  const w = new Int32Array(68)
  const inner = Int32Array.from(IV)
  const outer = Int32Array.from(IV)
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36
  compress(inner, w, pad, 0, 1)
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c
  compress(outer, w, pad, 0, 1)
  let buffer = Buffer.alloc(256)
  const v = new Int32Array(8)
  const digest = new Uint8Array(64)
  return (message: string) => {
    // The message after the 64-byte key block: its bytes, 0x80, zeros, the bit length of key block + message.
    const most = Buffer.byteLength(message) + 72
    if (most > buffer.length) buffer = Buffer.alloc(most * 2)
    const n = buffer.write(message, 0, 'utf8')
    const blocks = Math.ceil((n + 9) / 64)
    const end = blocks * 64
    buffer[n] = 0x80
    buffer.fill(0, n + 1, end - 4)
    buffer.writeUInt32BE(((64 + n) * 8) >>> 0, end - 4)
    buffer.writeUInt32BE(Math.floor(((64 + n) * 8) / 2 ** 32), end - 8)
    v.set(inner)
    compress(v, w, buffer, 0, blocks)
    // The outer message: the 32-byte inner digest, padded; 96 bytes in all.
    for (let i = 0; i < 8; i++) {
      digest[i * 4] = v[i] >>> 24
      digest[i * 4 + 1] = (v[i] >>> 16) & 0xff
      digest[i * 4 + 2] = (v[i] >>> 8) & 0xff
      digest[i * 4 + 3] = v[i] & 0xff
    }
    digest[32] = 0x80
    digest.fill(0, 33, 62)
    digest[62] = (96 * 8) >>> 8
    digest[63] = (96 * 8) & 0xff
    v.set(outer)
    compress(v, w, digest, 0, 1)
    let hex = ''
    for (let i = 0; i < 8; i++) hex += HEX[v[i] >>> 24] + HEX[(v[i] >>> 16) & 0xff] + HEX[(v[i] >>> 8) & 0xff] + HEX[v[i] & 0xff]
    return hex
  }
}
