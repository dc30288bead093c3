/**
 * The one HTTP client of the console: adds the login token, turns every failure into an ApiError
 * carrying the server's envelope `{error:{code,message,details}}` (API.md), shows its Chinese
 * message once, and sends the user back to the login page when the session has ended.
 */

export interface FieldProblem {
  field: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

type Notify = (message: string) => void
type Listener = () => void

const TOKEN_KEY = 'govshare.token'
let token: string | null = readToken()
let notifyError: Notify = (message) => console.error(message)
const sessionEndListeners = new Set<Listener>()
const enrollmentListeners = new Set<Listener>()

function readToken() {
  try {
    return localStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export const getToken = () => token
export function setToken(value: string | null) {
  token = value
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value)
    else localStorage.removeItem(TOKEN_KEY)
  } catch {
    // private mode: the token lives in memory only
  }
}

/** Where error messages are shown (set once by the app shell with antd's message API). */
export const setErrorNotifier = (notify: Notify) => {
  notifyError = notify
}

/** Called when the server answers 401 to a logged-in request (expired, revoked, or idle session). */
export function onSessionEnd(listener: Listener) {
  sessionEndListeners.add(listener)
  return () => void sessionEndListeners.delete(listener)
}

/**
 * Called when the server answers 403 TOTP_ENROLLMENT_REQUIRED: the deployment requires a second factor
 * for this user and the session may only set it up.
 */
export function onTotpEnrollmentRequired(listener: Listener) {
  enrollmentListeners.add(listener)
  return () => void enrollmentListeners.delete(listener)
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /** The caller shows the error itself (a page-level error state): no toast. */
  quiet?: boolean
}

export function toQueryString(query: Query = {}) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '')
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: FieldProblem[] } }
    if (parsed.error?.message) {
      return new ApiError(response.status, parsed.error.code ?? 'ERROR', parsed.error.message, parsed.error.details ?? [])
    }
  } catch {
    // not JSON: a proxy or gateway answered
  }
  if (response.status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', '上传内容过大')
  return new ApiError(response.status, 'HTTP_ERROR', `服务器返回了无法识别的响应（HTTP ${response.status}），请稍后重试`)
}

/** Sends a request; resolves with the parsed body (or the raw Response when `raw`). */
async function send(method: string, path: string, options: RequestOptions, raw: boolean): Promise<unknown> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (options.body instanceof FormData) body = options.body
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(`/api/v1${path}${toQueryString(options.query)}`, { method, headers, body, signal: options.signal })
  } catch (cause) {
    if ((cause as Error).name === 'AbortError') throw cause
    const error = new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络后重试')
    if (!options.quiet) notifyError(error.message)
    throw error
  }
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401 && token && path !== '/auth/login') {
      setToken(null)
      for (const listener of sessionEndListeners) listener()
    }
    if (error.code === 'TOTP_ENROLLMENT_REQUIRED') {
      // The setup page explains it; a toast on every refused call of the page left behind would be noise.
      for (const listener of enrollmentListeners) listener()
      throw error
    }
    if (!options.quiet) notifyError(error.message)
    throw error
  }
  if (raw) return response
  if (response.status === 204) return undefined
  const text = await response.text()
  return text ? JSON.parse(text) : undefined
}

/**
 * A multipart upload through XMLHttpRequest, the one browser API that reports upload progress
 * (fetch does not). Errors take the same path as `send`: envelope → ApiError, 401 → login.
 */
function upload<T>(path: string, form: FormData, onProgress?: (percent: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/v1${path}`)
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(Math.round((event.loaded / event.total) * 100))
    }
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络后重试'))
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T)
        return
      }
      const error = await errorOf(new Response(xhr.responseText, { status: xhr.status }))
      if (xhr.status === 401 && token) {
        setToken(null)
        for (const listener of sessionEndListeners) listener()
      }
      reject(error)
    }
    xhr.send(form)
  })
}

export const api = {
  /** Multipart upload with progress; quiet (the caller shows the outcome next to its file). */
  upload,
  get: <T>(path: string, options: RequestOptions = {}) => send('GET', path, options, false) as Promise<T>,
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) => send('POST', path, { ...options, body }, false) as Promise<T>,
  patch: <T>(path: string, body: unknown, options: RequestOptions = {}) => send('PATCH', path, { ...options, body }, false) as Promise<T>,
  put: <T>(path: string, body: unknown, options: RequestOptions = {}) => send('PUT', path, { ...options, body }, false) as Promise<T>,
  delete: <T>(path: string, options: RequestOptions = {}) => send('DELETE', path, options, false) as Promise<T>,
  /** A file download (e.g. the Excel export): the raw response, errors handled as above. */
  download: (path: string, options: RequestOptions = {}) => send('GET', path, options, true) as Promise<Response>,
}

/** Saves a downloaded response as a file, named by its Content-Disposition when present. */
export async function saveDownload(response: Response, fallbackName: string) {
  const disposition = response.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
  const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1]
  const name = star ? decodeURIComponent(star) : plain ? decodeURIComponent(plain) : fallbackName
  const blob = await response.blob()
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}
