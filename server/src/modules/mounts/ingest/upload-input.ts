import { AppError, validationFailed } from '../../../platform/http/errors.ts'

/** Reading multipart input: client-side failures as 400s, and the uploaded file's name. */

const BROKEN_UPLOAD = '上传的表单数据不完整或格式错误（multipart/form-data），请重新上传'

/**
 * Errors raised while reading a multipart upload (busboy: a missing boundary, a body cut short)
 * are the client's, not ours: they become 400 VALIDATION_FAILED. Errors that already carry a
 * client status (file too large → 413, not multipart → 415) pass through unchanged.
 */
export function uploadError(error: unknown): unknown {
  if (error instanceof AppError) return error
  const status = (error as { statusCode?: number } | null)?.statusCode
  if (status && status >= 400 && status < 500) return error
  return validationFailed([{ field: 'file', message: BROKEN_UPLOAD }], BROKEN_UPLOAD)
}

/** The same sequence, with reading errors turned into upload errors (errors of the consumer are untouched). */
export async function* readingUpload<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let done = false
  try {
    for (;;) {
      let next: IteratorResult<T>
      try {
        next = await iterator.next()
      } catch (error) {
        done = true
        throw uploadError(error)
      }
      if (next.done) {
        done = true
        return
      }
      yield next.value
    }
  } finally {
    // Left early (the consumer failed): let the source tear down as a plain for-await would.
    if (!done) await iterator.return?.()?.catch?.(() => {})
  }
}

/** The base name of an uploaded file (no client path), at most 255 characters. */
export const cleanFileName = (name: string | undefined) => (name ?? '').split(/[\\/]/).pop()!.trim().slice(0, 255) || 'upload'
