import { lookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { parseIp } from './addresses.ts'

/**
 * One outbound HTTP request to an address that was checked (SSRF, issue 13 §4): the host name is resolved
 * once, every address is checked, and the connection goes to the checked address itself, so a second DNS
 * answer (rebinding) cannot swap it. Redirects are not followed; the whole exchange (DNS included) has one
 * deadline and the body a size cap.
 */

/** Host name → addresses. Injectable so tests can point names at 127.0.0.1 without a DNS server. */
export type ResolveHost = (hostname: string) => Promise<string[]>

/** The system resolver; `.invalid` names get an immediate negative answer without asking DNS (RFC 6761 §6.4). */
export const systemResolveHost: ResolveHost = async (hostname) => {
  const name = hostname.toLowerCase().replace(/\.+$/, '')
  if (name === 'invalid' || name.endsWith('.invalid')) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)
}

export type OutboundFailure = 'address' | 'resolve' | 'connect' | 'timeout' | 'too-large' | 'redirect' | 'status'

/** Why a request failed, for the server log only: callers answer with a generic message. */
export class OutboundError extends Error {
  constructor(
    readonly failure: OutboundFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'OutboundError'
  }
}

export interface GuardedRequest {
  url: URL
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
  maxBytes: number
  resolveHost: ResolveHost
  /** Judges each address a host name resolved to: a refusal reason, or null. Literal IPs are checked by the caller. */
  checkAddress: (address: string) => string | null
}

export interface GuardedResponse {
  status: number
  contentType: string | null
  body: Buffer
}

/** The address to connect to: the literal IP, or the first resolved address once all of them passed. */
async function pinnedAddress(request: GuardedRequest): Promise<{ address: string; servername?: string }> {
  const hostname = request.url.hostname
  const literal = parseIp(hostname)
  if (literal) return { address: hostname.replace(/^\[|\]$/g, '') }
  let addresses: string[]
  try {
    addresses = await request.resolveHost(hostname)
  } catch (error) {
    throw new OutboundError('resolve', `cannot resolve ${hostname}: ${(error as Error).message}`)
  }
  if (addresses.length === 0) throw new OutboundError('resolve', `${hostname} has no address`)
  for (const address of addresses) {
    const problem = request.checkAddress(address)
    if (problem) throw new OutboundError('address', `${hostname} resolved to ${address}: ${problem}`)
  }
  return { address: addresses[0]!, servername: hostname.replace(/\.+$/, '') }
}

/** Rejects after `ms` with a timeout (the one deadline of the request); `clear` stops it. */
function deadline(ms: number) {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutboundError('timeout', `no complete answer within ${ms} ms`)), ms)
  })
  expired.catch(() => {})
  return { expired, clear: () => clearTimeout(timer) }
}

export async function guardedRequest(request: GuardedRequest): Promise<GuardedResponse> {
  const timer = deadline(request.timeoutMs)
  let abort: ((error: Error) => void) | undefined
  timer.expired.catch((error: Error) => abort?.(error))
  try {
    const pinned = await Promise.race([pinnedAddress(request), timer.expired])
    return await Promise.race([exchange(request, pinned, (stop) => (abort = stop)), timer.expired])
  } finally {
    timer.clear()
  }
}

function exchange(
  request: GuardedRequest,
  pinned: { address: string; servername?: string },
  onAbort: (stop: (error: Error) => void) => void,
): Promise<GuardedResponse> {
  const { url } = request
  const client = url.protocol === 'https:' ? https : http
  return new Promise<GuardedResponse>((resolve, reject) => {
    const req = client.request({
      host: pinned.address,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      // The upstream sees the name it was registered under (virtual hosts, TLS certificate).
      headers: { host: url.host, ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      servername: pinned.servername,
      agent: false,
    })
    onAbort((error) => req.destroy(error))
    req.on('error', (error) => reject(error instanceof OutboundError ? error : new OutboundError('connect', `${pinned.address}: ${error.message}`)))
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      const fail = (error: OutboundError) => {
        res.destroy()
        req.destroy()
        reject(error)
      }
      if (status >= 300 && status < 400) return fail(new OutboundError('redirect', `redirect to ${String(res.headers.location ?? '')} not followed`, status))
      if (status < 200 || status >= 300) return fail(new OutboundError('status', `upstream answered HTTP ${status}`, status))
      const declared = Number(res.headers['content-length'] ?? 0)
      if (declared > request.maxBytes) return fail(new OutboundError('too-large', `declared ${declared} bytes, cap ${request.maxBytes}`))
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > request.maxBytes) return fail(new OutboundError('too-large', `more than ${request.maxBytes} bytes`))
        chunks.push(chunk)
      })
      res.on('error', (error) => reject(error instanceof OutboundError ? error : new OutboundError('connect', error.message)))
      res.on('end', () => resolve({ status, contentType: res.headers['content-type'] ?? null, body: Buffer.concat(chunks, size) }))
    })
    req.end(request.body)
  })
}
