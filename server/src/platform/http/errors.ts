/** One error type for the whole platform; the error handler turns it into API.md's envelope. */
export interface ErrorDetail {
  field: string
  message: string
  /** What an unconfirmed change would do (409 CONFIRMATION_REQUIRED), for the client to show before it confirms. */
  preview?: object
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers that belong to the error (e.g. Retry-After on a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const validationFailed = (details: ErrorDetail[], message = '输入有误，请检查标注的字段') => new AppError(400, 'VALIDATION_FAILED', message, details)
export const fieldError = (field: string, message: string) => validationFailed([{ field, message }], message)
export const unauthenticated = (message = '请先登录') => new AppError(401, 'UNAUTHENTICATED', message)
export const forbidden = (message = '无权执行此操作') => new AppError(403, 'FORBIDDEN', message)
export const notFound = (what = '对象') => new AppError(404, 'NOT_FOUND', `${what}不存在或无权查看`)
export const invalidState = (message: string) => new AppError(409, 'INVALID_STATE', message)
export const conflict = (message: string) => new AppError(409, 'CONFLICT', message)
/** 429 RATE_LIMITED with Retry-After (seconds, rounded up; API.md "Conventions"). */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError(429, 'RATE_LIMITED', message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
