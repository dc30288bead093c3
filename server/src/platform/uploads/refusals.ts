import { AppError, validationFailed } from '../http/errors.ts'

/** How an upload is refused: the file itself is named in `details`, so the console marks the file field. */

/** 400: the file is broken, lies about itself, or holds what no real file of its kind holds. */
export const malformedUpload = (message: string) => validationFailed([{ field: 'file', message }], message)

/** 413: the file, once inflated or parsed, exceeds a limit of common/limits.ts UPLOAD_LIMITS. */
export const uploadTooLarge = (message: string) => new AppError(413, 'PAYLOAD_TOO_LARGE', message, [{ field: 'file', message }])

/** 503: the uploads in progress hold the memory budget; the client retries after a few seconds. */
export const uploadBusy = (retryAfterSeconds: number) =>
  new AppError(503, 'UPLOAD_BUSY', '服务器正在处理其他上传文件，请稍后重试', undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })

export const megabytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024 / 1024))} MB`
