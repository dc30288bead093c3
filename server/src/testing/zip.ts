import * as zlib from 'node:zlib'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { listZipParts, storedBytes } from '../platform/uploads/zip-archive.ts'

/** Zip surgery for tests: writing workbooks part by part, including parts that lie about themselves. */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const nativeCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32
const crc32 = (data: Buffer) => {
  if (nativeCrc32) return nativeCrc32(data)
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/**
 * A local or central header: both hold the same fields in the same order, from `at` (version needed,
 * flags: UTF-8 names, method: deflate, time, date, CRC, sizes, name length).
 */
function header(length: number, signature: number, at: number, fields: { crc: number; packedSize: number; size: number; nameLength: number }) {
  const bytes = Buffer.alloc(length)
  bytes.writeUInt32LE(signature, 0)
  bytes.writeUInt16LE(20, at)
  bytes.writeUInt16LE(0x0800, at + 2)
  bytes.writeUInt16LE(8, at + 4)
  bytes.writeUInt32LE(fields.crc, at + 10)
  bytes.writeUInt32LE(fields.packedSize, at + 14)
  bytes.writeUInt32LE(fields.size, at + 18)
  bytes.writeUInt16LE(fields.nameLength, at + 22)
  return bytes
}

/** A part with what its headers say about it, when that is not the truth. */
export interface ZipEntry {
  content: Buffer
  /** The inflated size written in both headers (default: the content's). */
  declaredSize?: number
  /** The deflated bytes, when already at hand (a large part reused many times). */
  packed?: Buffer
  /** Sizes written as 0xFFFFFFFF, as ZIP64 does. */
  zip64?: boolean
}

/** Writes a zip (deflated parts) from name → content. `zip64` adds a ZIP64 end-of-directory locator. */
export function zipOf(parts: ReadonlyMap<string, Buffer | ZipEntry>, options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, value] of parts) {
    const entry: ZipEntry = Buffer.isBuffer(value) ? { content: value } : value
    const nameBytes = Buffer.from(name, 'utf8')
    const packed = entry.packed ?? deflateRawSync(entry.content)
    const size = entry.zip64 ? 0xffffffff : (entry.declaredSize ?? entry.content.length)
    const packedSize = entry.zip64 ? 0xffffffff : packed.length
    const crc = crc32(entry.content)
    const fields = { crc, packedSize, size, nameLength: nameBytes.length }
    const local = header(30, 0x04034b50, 4, fields)
    const central = header(46, 0x02014b50, 6, fields)
    central.writeUInt16LE(20, 4) // version made by
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, packed)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const tail: Buffer[] = []
  if (options.zip64) {
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    tail.push(locator)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.size, 8)
  end.writeUInt16LE(parts.size, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, ...tail, end])
}

/** The parts of a zip, inflated. */
export function unzip(data: Buffer): Map<string, Buffer> {
  const listed = listZipParts(data, 10_000)
  if (!listed.ok) throw new Error(listed.problem)
  const parts = new Map<string, Buffer>()
  for (const part of listed.parts) {
    const stored = storedBytes(data, part)
    parts.set(part.name, part.method === 8 ? inflateRawSync(stored) : Buffer.from(stored))
  }
  return parts
}

/** Rewrites one part of an xlsx (e.g. to plant a whole-sheet merged range in its XML). */
export function patchPart(data: Buffer, name: string, patch: (xml: string) => string): Buffer {
  const parts = unzip(data)
  const part = parts.get(name)
  if (!part) throw new Error(`no part ${name}`)
  parts.set(name, Buffer.from(patch(part.toString('utf8')), 'utf8'))
  return zipOf(parts)
}
