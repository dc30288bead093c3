import { type GuardedResponse, OutboundError, guardedRequest } from '../../../platform/outbound/guarded-request.ts'
import type { ApiMount } from '../../mounts/index.ts'
import { checkResolvedAddress, checkUpstreamUrl } from '../../security/index.ts'
import type { GatewayRuntime } from '../runtime.ts'

/** The upstream could not serve the call; why is in the server log only. */
export class UpstreamUnavailable extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'upstream timed out' : 'upstream failed')
    this.name = 'UpstreamUnavailable'
  }
}

export interface UpstreamCall {
  runtime: GatewayRuntime
  resourceId: string
  log: { warn(obj: object, msg: string): void }
}

/**
 * Calls the registered upstream API and returns its rows (SSRF, issue 13 §4): the URL is judged against the
 * allow-list again, the host name is resolved and every address checked, and the connection goes to the
 * checked address. Whatever goes wrong throws UpstreamUnavailable; what happened goes to the server log
 * only, since upstream status codes and bodies would tell a caller what answers where.
 */
export async function callUpstream(call: UpstreamCall, api: ApiMount, params: Record<string, string>): Promise<unknown[]> {
  const { runtime } = call
  const failed = (reason: string, detail: Record<string, unknown> = {}, timedOut = false) => {
    call.log.warn({ resourceId: call.resourceId, mountId: api.mountId, reason, ...detail }, 'upstream call failed')
    return new UpstreamUnavailable(timedOut)
  }
  const policy = await runtime.upstreamPolicy()
  const checked = checkUpstreamUrl(policy, api.upstreamUrl)
  if (!checked.ok) throw failed(checked.reason)
  const url = new URL(checked.value.url)
  if (api.method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  let response: GuardedResponse
  try {
    response = await guardedRequest({
      url,
      method: api.method,
      headers: { accept: 'application/json', ...(api.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: api.method === 'POST' ? JSON.stringify(params) : undefined,
      timeoutMs: api.timeoutMs,
      maxBytes: runtime.upstream.maxBytes,
      resolveHost: runtime.upstream.resolveHost,
      checkAddress: (address) => checkResolvedAddress(policy, address, checked.value.port),
    })
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error
    throw failed(error.message, { failure: error.failure, status: error.status }, error.failure === 'timeout')
  }
  let body: unknown
  try {
    body = JSON.parse(response.body.toString('utf8'))
  } catch {
    throw failed('answer is not JSON', { contentType: response.contentType, bytes: response.body.length })
  }
  const list = Array.isArray(body) ? body : ((body as { items?: unknown; data?: unknown })?.items ?? (body as { data?: unknown })?.data)
  if (!Array.isArray(list)) throw failed('answer is neither an array nor {items: [...]} nor {data: [...]}')
  return list
}
