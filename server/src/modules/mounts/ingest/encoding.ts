import { TextDecoder } from 'node:util'
import { validationFailed } from '../../../platform/http/errors.ts'

/** How a CSV's bytes were read (reported back to the uploader). */
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'gbk'

// Decide on this much text after the first non-ASCII byte: Chinese GBK text is almost never valid UTF-8 for long.
const SNIFF_BYTES = 64 * 1024

const UTF8_BOM = [0xef, 0xbb, 0xbf]

const startsWith = (buffer: Buffer, bytes: number[]) => bytes.every((b, i) => buffer[i] === b)

function firstNonAscii(buffer: Buffer): number {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] > 0x7f) return i
  return -1
}

const encodingError = (message: string) => validationFailed([{ field: 'file', message }], message)

/** True when `bytes` is valid UTF-8, allowing an incomplete sequence at the very end unless `final`. */
function isUtf8(bytes: Buffer, final: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !final })
    return true
  } catch {
    return false
  }
}

/**
 * Decodes a CSV byte stream to text without buffering it: a UTF-8 BOM means UTF-8; otherwise the
 * first 64 KB from the first non-ASCII byte on must decode as strict UTF-8, else the file is GBK
 * (read with a strict TextDecoder('gbk') in streaming mode). Pure-ASCII prefixes read the same in both, so
 * they pass through while the choice waits for real evidence. `onEncoding` hears the decision.
 * UTF-16 files, and bytes that are neither valid UTF-8 nor valid GBK, are refused (400) rather
 * than read as garbage.
 */
export async function* decodeText(chunks: AsyncIterable<Buffer>, onEncoding: (encoding: CsvEncoding) => void): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null
  let encoding: CsvEncoding = 'utf-8'
  let pending: Buffer[] = []
  let pendingBytes = 0
  let first = true
  let offset = 0 // bytes decoded so far, for the error message

  const decide = (final: boolean) => {
    const head = Buffer.concat(pending)
    encoding = isUtf8(head, final) ? 'utf-8' : 'gbk'
    // Fatal in GBK too: a byte sequence GBK does not define would otherwise become U+FFFD in the data.
    decoder = new TextDecoder(encoding === 'gbk' ? 'gbk' : 'utf-8', { fatal: true })
    onEncoding(encoding)
    return head
  }
  const decode = (bytes: Buffer, final: boolean) => {
    try {
      return decoder!.decode(bytes, { stream: !final })
    } catch {
      const name = encoding === 'gbk' ? 'GBK' : 'UTF-8'
      throw encodingError(`文件在第 ${offset} 字节附近不是有效的 ${name} 编码；请将文件另存为 UTF-8 或 GBK 编码的 CSV`)
    }
  }

  for await (let chunk of chunks) {
    if (first) {
      first = false
      if (startsWith(chunk, UTF8_BOM)) {
        chunk = chunk.subarray(3)
        encoding = 'utf-8-bom'
        decoder = new TextDecoder('utf-8', { fatal: true })
        onEncoding(encoding)
      } else if (startsWith(chunk, [0xff, 0xfe]) || startsWith(chunk, [0xfe, 0xff])) {
        throw encodingError('不支持 UTF-16 编码的文件，请另存为 UTF-8 或 GBK 编码的 CSV')
      }
    }
    if (decoder) {
      const text = decode(chunk, false)
      offset += chunk.length
      if (text) yield text
      continue
    }
    if (pendingBytes === 0) {
      const at = firstNonAscii(chunk)
      if (at < 0) {
        // ASCII reads the same in UTF-8 and GBK: pass it through undecided.
        offset += chunk.length
        yield chunk.toString('latin1')
        continue
      }
      if (at > 0) {
        offset += at
        yield chunk.subarray(0, at).toString('latin1')
        chunk = chunk.subarray(at)
      }
    }
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes >= SNIFF_BYTES) {
      const text = decode(decide(false), false)
      offset += pendingBytes
      pending = []
      if (text) yield text
    }
  }
  if (!decoder && pendingBytes > 0) {
    const text = decode(decide(true), true)
    if (text) yield text
    return
  }
  if (!decoder) {
    onEncoding(encoding) // empty or pure ASCII
    return
  }
  const tail = decode(Buffer.alloc(0), true)
  if (tail) yield tail
}
