import { randomUUID } from 'node:crypto'
import { sm3Hex } from '../crypto/sm3.ts'

/**
 * References a client sends with a request and the platform stores in its records: `X-Request-Id`
 * (audit events, call logs) and the gateway's business reference (办件号, `X-Business-Ref` or
 * `?businessRef=`, SPEC §8.4 S13). Both reach the audit trail, so both are checked for shape and length,
 * and a value that looks like a secret typed into the wrong field is kept as a digest only.
 */

// A request id as proxies and tracing tools write them (UUIDs, trace ids, `host:pid:n`).
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
// A run of 32+ URL-safe base64 characters mixing upper case, lower case and digits: what app secrets,
// access tokens and session tokens look like (randomToken(32): 43 characters). UUIDs, trace ids and 办件号
// have no such run.
const SECRET_RUN = /[A-Za-z0-9_-]{32,}/g
const MAX_BUSINESS_REF = 64

/** Whether `value` holds something shaped like one of the platform's secrets or tokens. */
export function looksLikeSecret(value: string): boolean {
  for (const [run] of value.matchAll(SECRET_RUN)) {
    if (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run)) return true
  }
  return false
}

/** What is stored instead of a secret-looking value: its SM3 (128 bits), which still matches the client's own records. */
export const secretDigest = (value: string) => `sm3-${sm3Hex(value).slice(0, 32)}`

/**
 * The id of a request: the client's `X-Request-Id` when it has the shape of one, its digest when it looks
 * like a secret, else a new UUID (the invalid value is neither stored, logged nor echoed).
 */
export function requestIdOf(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || !REQUEST_ID.test(header)) return randomUUID()
  return looksLikeSecret(header) ? secretDigest(header) : header
}

/** A business reference as checked: the value to store (null when none was sent) or what is wrong with it. */
export type BusinessRef = { value: string | null; problem: null } | { value: null; problem: string }

/** A header's text: Node reads header bytes as Latin-1, clients send UTF-8; null when the bytes are not UTF-8. */
function headerText(raw: string): string | null {
  if (!/[^\x00-\x7f]/.test(raw)) return raw
  const text = Buffer.from(raw, 'latin1').toString('utf8')
  return text.includes('\uFFFD') ? null : text
}

function checkRef(text: string | null, field: string): BusinessRef {
  if (text === null) return { value: null, problem: `${field} 不是有效的 UTF-8 文本` }
  if (text === '') return { value: null, problem: null }
  // Control, format (bidi overrides, zero-width) and unassigned characters: nothing a 办件号 holds.
  if (/\p{C}/u.test(text)) return { value: null, problem: `${field} 含有控制字符或不可见字符` }
  if ([...text].length > MAX_BUSINESS_REF) return { value: null, problem: `${field} 不能超过 ${MAX_BUSINESS_REF} 个字符` }
  return { value: looksLikeSecret(text) ? secretDigest(text) : text, problem: null }
}

/** The gateway's business reference: the `X-Business-Ref` header, else the `businessRef` query parameter. */
export function businessRefOf(header: string | string[] | undefined, query: unknown): BusinessRef {
  // Node joins a repeated custom header into one string; an array never comes from it.
  if (Array.isArray(header)) return { value: null, problem: '请求头 X-Business-Ref 只能出现一次' }
  if (header !== undefined) return checkRef(headerText(header), '请求头 X-Business-Ref（办件号）')
  // A repeated parameter (an array) is refused by the route's schema.
  if (typeof query === 'string') return checkRef(query, '查询参数 businessRef（办件号）')
  return { value: null, problem: null }
}
