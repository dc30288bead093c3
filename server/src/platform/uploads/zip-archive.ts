import { createInflateRaw } from 'node:zlib'

/**
 * Reading an uploaded zip (an .xlsx) without trusting it: the central directory is listed, every
 * part's local header must agree with it and the parts must follow each other with nothing hidden
 * between them (a streaming reader such as exceljs's walks the local headers, not the directory),
 * and a part is inflated in chunks, stopping as soon as it outgrows what it declared.
 */

export interface ZipPart {
  name: string
  method: number
  flags: number
  compressedSize: number
  /** The inflated size the directory declares (checked while inflating). */
  size: number
  localHeaderOffset: number
  /** Where the part's stored bytes start (after its local header). */
  dataOffset: number
}

export type ZipProblem = 'empty' | 'ole' | 'not-zip' | 'damaged' | 'zip64' | 'too-many-parts' | 'encrypted' | 'hidden-data'

export type ZipListing = { ok: true; parts: ZipPart[] } | { ok: false; problem: ZipProblem }

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const DESCRIPTOR = 0x08074b50
const ZIP64_LOCATOR = 0x07064b50

function findEndOfCentralDirectory(data: Buffer): number {
  const stop = Math.max(0, data.length - 22 - 0xffff)
  for (let at = data.length - 22; at >= stop; at--) {
    if (data.readUInt32LE(at) === EOCD) return at
  }
  return -1
}

/** The parts listed in a zip's central directory, or why the file is not a zip we read. */
export function listZipParts(data: Buffer, maxParts: number): ZipListing {
  if (data.length === 0) return { ok: false, problem: 'empty' }
  if (data.subarray(0, 8).equals(OLE_SIGNATURE)) return { ok: false, problem: 'ole' }
  if (data.length < 22 || data.readUInt32LE(0) !== LOCAL) return { ok: false, problem: 'not-zip' }
  const end = findEndOfCentralDirectory(data)
  if (end < 0) return { ok: false, problem: 'damaged' }
  const count = data.readUInt16LE(end + 10)
  const directorySize = data.readUInt32LE(end + 12)
  const directoryOffset = data.readUInt32LE(end + 16)
  // ZIP64 marks its sizes 0xFFFF…: a workbook within our size limits never needs it.
  if (count === 0xffff || directoryOffset === 0xffffffff || (end >= 20 && data.readUInt32LE(end - 20) === ZIP64_LOCATOR)) return { ok: false, problem: 'zip64' }
  if (count > maxParts) return { ok: false, problem: 'too-many-parts' }
  if (directoryOffset + directorySize > end) return { ok: false, problem: 'damaged' }
  const parts: ZipPart[] = []
  let at = directoryOffset
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || data.readUInt32LE(at) !== CENTRAL) return { ok: false, problem: 'damaged' }
    const nameLength = data.readUInt16LE(at + 28)
    const extraLength = data.readUInt16LE(at + 30)
    const commentLength = data.readUInt16LE(at + 32)
    const compressedSize = data.readUInt32LE(at + 20)
    const size = data.readUInt32LE(at + 24)
    if (compressedSize === 0xffffffff || size === 0xffffffff) return { ok: false, problem: 'zip64' }
    const localHeaderOffset = data.readUInt32LE(at + 42)
    const flags = data.readUInt16LE(at + 8)
    if (flags & 0x1) return { ok: false, problem: 'encrypted' }
    const local = localHeaderOffset
    if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL) return { ok: false, problem: 'damaged' }
    parts.push({
      flags,
      method: data.readUInt16LE(at + 10),
      compressedSize,
      size,
      localHeaderOffset,
      dataOffset: local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28),
      name: data.toString('utf8', at + 46, at + 46 + nameLength),
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return checkLayout(data, parts, directoryOffset) ? { ok: true, parts } : { ok: false, problem: 'hidden-data' }
}

/**
 * True when the local entries tile the file from its start to the central directory in directory
 * order, each local header declaring what the directory does (or deferring to a data descriptor).
 */
function checkLayout(data: Buffer, parts: readonly ZipPart[], directoryOffset: number): boolean {
  const ordered = [...parts].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
  let expected = 0
  for (const part of ordered) {
    if (part.localHeaderOffset !== expected) return false
    const at = part.localHeaderOffset
    const descriptor = (data.readUInt16LE(at + 6) & 0x8) !== 0
    if (data.readUInt16LE(at + 8) !== part.method) return false
    if (!descriptor && (data.readUInt32LE(at + 18) !== part.compressedSize || data.readUInt32LE(at + 22) !== part.size)) return false
    let next = part.dataOffset + part.compressedSize
    if (next > directoryOffset) return false
    if (descriptor) {
      // crc, sizes (12 bytes), optionally after a signature.
      next += next + 4 <= directoryOffset && data.readUInt32LE(next) === DESCRIPTOR ? 16 : 12
      if (next > directoryOffset) return false
    }
    expected = next
  }
  return expected === directoryOffset
}

export type InflateProblem = 'damaged' | 'size-lie' | 'over-budget'

export class InflateError extends Error {
  constructor(readonly problem: InflateProblem) {
    super(`zip part ${problem}`)
  }
}

/** The stored (compressed) bytes of a part. */
export const storedBytes = (data: Buffer, part: ZipPart): Buffer => data.subarray(part.dataOffset, part.dataOffset + part.compressedSize)

/**
 * The inflated bytes of a part in chunks. Throws InflateError 'size-lie' as soon as the output
 * passes the size the directory declared, 'over-budget' when it passes `maxBytes` (the caller's
 * remaining allowance), 'damaged' for a broken stream or an unknown method. Memory: one chunk.
 */
export async function* inflatePart(data: Buffer, part: ZipPart, maxBytes: number): AsyncGenerator<Buffer> {
  const stored = storedBytes(data, part)
  if (part.method === 0) {
    if (stored.length !== part.size) throw new InflateError('size-lie')
    if (stored.length > maxBytes) throw new InflateError('over-budget')
    for (let at = 0; at < stored.length; at += CHUNK) yield stored.subarray(at, at + CHUNK)
    return
  }
  if (part.method !== 8) throw new InflateError('damaged')
  if (part.size > maxBytes) throw new InflateError('over-budget')
  const inflate = createInflateRaw({ chunkSize: CHUNK })
  inflate.on('error', () => {}) // surfaced by the iterator below
  inflate.end(stored)
  let total = 0
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > part.size) throw new InflateError('size-lie')
      yield chunk
    }
  } catch (error) {
    if (error instanceof InflateError) throw error
    throw new InflateError('damaged')
  } finally {
    inflate.destroy()
  }
  if (total !== part.size) throw new InflateError('size-lie')
}

const CHUNK = 64 * 1024
