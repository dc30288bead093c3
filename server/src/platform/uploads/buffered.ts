import type { UploadLease } from './memory-budget.ts'
import { megabytes, uploadTooLarge } from './refusals.ts'

/** Reserve budget in steps of this much, not per chunk. */
const STEP = 1024 * 1024

/**
 * Reads an uploaded stream whole (a workbook or a stored file), reserving `factor` × its bytes in
 * the upload's lease as they arrive, so a buffered upload waits for or is refused memory before it
 * holds it. 413 as soon as it passes `maxBytes`. `onChunk` sees each chunk (e.g. to digest it).
 */
export async function readWhole(
  chunks: AsyncIterable<Buffer>,
  lease: UploadLease,
  options: { maxBytes: number; factor: number; onChunk?: (chunk: Buffer) => void },
): Promise<Buffer> {
  const parts: Buffer[] = []
  let size = 0
  let reserved = 0
  for await (const chunk of chunks) {
    size += chunk.length
    if (size > options.maxBytes) throw uploadTooLarge(`上传文件超过 ${megabytes(options.maxBytes)} 的上限`)
    const need = size * options.factor
    if (need > reserved) {
      const more = Math.max(STEP, need - reserved)
      await lease.reserve(more)
      reserved += more
    }
    options.onChunk?.(chunk)
    parts.push(chunk)
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, size)
}
