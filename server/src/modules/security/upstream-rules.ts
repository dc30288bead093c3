import { upstreamUrlShapeProblem } from '../../../../common/upstream-url.ts'
import {
  ADDRESS_CLASS_LABELS,
  type AddressClass,
  type Cidr,
  FORBIDDEN_CLASSES,
  type Ip,
  cidrContains,
  classifyIp,
  forbiddenOverlaps,
  formatCidr,
  judgedIp,
  parseCidr,
  parseIp,
} from '../../platform/outbound/addresses.ts'

/**
 * Which upstream URLs the platform may call (SSRF, issue 13 §4): pure rules over the allow-list kept by
 * SEC_ADMIN. A host must be listed; loopback, link-local, metadata, unspecified, multicast and reserved
 * addresses are refused whatever the list says; a private address only passes when an IP/CIDR entry
 * covers it (a listed host name covers the public addresses it resolves to, not internal ones).
 */

/** One allow-list entry as stored: `host` is a canonical name, `*.suffix`, or an IP/CIDR. */
export interface UpstreamHostEntry {
  host: string
  port: number | null
}

export interface UpstreamRuleOptions {
  /**
   * Tests only (Config.upstreamLoopbackForTests): loopback counts as a private range, so it needs an explicit
   * entry. Host names such as `localhost` stay refused.
   */
  loopbackForTests: boolean
}

/** A parsed allow-list, ready for matching. */
export interface UpstreamPolicy {
  readonly names: readonly { name: string; wildcard: boolean; port: number | null }[]
  readonly ranges: readonly { cidr: Cidr; port: number | null }[]
  readonly options: UpstreamRuleOptions
}

export type UpstreamTarget = { kind: 'ip'; ip: Ip; port: number; url: URL } | { kind: 'name'; name: string; port: number; url: URL }
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

// Names that reach the machine itself or a cloud metadata service, whatever DNS says.
const FORBIDDEN_NAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.tencentyun.com',
  'instance-data',
  'instance-data.ec2.internal',
])
const isForbiddenName = (name: string) => FORBIDDEN_NAMES.has(name) || name.endsWith('.localhost')
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason })

/** `Example.GOV.cn.` → `example.gov.cn`: the WHATWG parser (the one the call uses) already lower-cases and punycodes. */
const canonicalName = (hostname: string) => hostname.replace(/\.+$/, '')

const classOf = (ip: Ip, options: UpstreamRuleOptions): AddressClass => {
  const kind = classifyIp(ip)
  return kind === 'loopback' && options.loopbackForTests ? 'private' : kind
}

/** Builds the matcher from stored entries (entries that no longer parse are skipped: fail closed). */
export function upstreamPolicy(entries: readonly UpstreamHostEntry[], options: UpstreamRuleOptions): UpstreamPolicy {
  const names: UpstreamPolicy['names'][number][] = []
  const ranges: UpstreamPolicy['ranges'][number][] = []
  for (const entry of entries) {
    const cidr = parseCidr(entry.host)
    if (cidr) ranges.push({ cidr, port: entry.port })
    else if (entry.host.startsWith('*.')) names.push({ name: entry.host.slice(2), wildcard: true, port: entry.port })
    else names.push({ name: entry.host, wildcard: false, port: entry.port })
  }
  return Object.freeze({ names: Object.freeze(names), ranges: Object.freeze(ranges), options })
}

const portMatches = (entryPort: number | null, port: number) => entryPort === null || entryPort === port

function rangeCovers(policy: UpstreamPolicy, ip: Ip, port: number) {
  const judged = judgedIp(ip)
  return policy.ranges.some(({ cidr, port: p }) => portMatches(p, port) && cidrContains(cidr, judged))
}

function addressProblem(policy: UpstreamPolicy, ip: Ip, port: number, listedByName: boolean): string | null {
  const kind = classOf(ip, policy.options)
  if (FORBIDDEN_CLASSES.has(kind)) return `接口地址指向${ADDRESS_CLASS_LABELS[kind]}，不允许调用`
  if (kind === 'public' && listedByName) return null
  if (rangeCovers(policy, ip, port)) return null
  return kind === 'private'
    ? `接口地址指向${ADDRESS_CLASS_LABELS.private}，该网段未列入安全管理员设定的上游允许清单`
    : '接口地址的主机不在安全管理员设定的上游允许清单内'
}

/**
 * Checks a URL as written (before any DNS): scheme, credentials, the host against the list and, for a
 * literal IP in any spelling (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`), the address class.
 */
export function checkUpstreamUrl(policy: UpstreamPolicy, text: string): Checked<UpstreamTarget> {
  const shape = upstreamUrlShapeProblem(text)
  if (shape) return fail(shape)
  const url = new URL(text)
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  const ip = parseIp(url.hostname)
  if (ip) {
    const problem = addressProblem(policy, ip, port, false)
    return problem ? fail(problem) : { ok: true, value: { kind: 'ip', ip, port, url } }
  }
  const name = canonicalName(url.hostname)
  if (isForbiddenName(name)) return fail('接口地址指向本机或云平台元数据服务，不允许调用')
  const listed = policy.names.some((entry) => portMatches(entry.port, port) && (entry.wildcard ? name.endsWith(`.${entry.name}`) : name === entry.name))
  if (!listed) return fail(`接口地址的主机「${name}」${port === 80 || port === 443 ? '' : `（端口 ${port}）`}不在安全管理员设定的上游允许清单内`)
  return { ok: true, value: { kind: 'name', name, port, url } }
}

/** Checks one address a listed host name resolved to, just before connecting to it. */
export function checkResolvedAddress(policy: UpstreamPolicy, address: string, port: number): string | null {
  const ip = parseIp(address)
  if (!ip) return '域名解析结果无效'
  return addressProblem(policy, ip, port, true)
}

/**
 * An allow-list entry as SEC_ADMIN types it, in canonical form: a host name, `*.domain`, an IP address or
 * a CIDR range. A range that touches an always-forbidden range (loopback, metadata…) is refused, so the
 * list never appears to allow what is refused anyway.
 */
export function canonicalHostEntry(text: string, options: UpstreamRuleOptions): Checked<string> {
  const raw = text.trim().toLowerCase()
  if (!raw) return fail('请填写主机名或 IP 地址')
  const cidr = parseCidr(raw)
  if (cidr) return cidrEntry(cidr, options)
  if (/^[0-9a-f.:]+\/\d+$/.test(raw)) return fail('网段应写为「IP 地址/前缀长度」，如 10.37.0.0/16，且主机位为 0')
  const nameProblem = '主机名格式不正确（只能包含字母、数字、连字符和点；端口请填在端口一栏）'
  // Only the host: a port, path, user or scheme would be silently dropped by the URL parser below.
  if (/[\s:/@?#\\[\]%]/.test(raw)) return fail(nameProblem)
  const wildcard = raw.startsWith('*.')
  let hostname: string
  try {
    hostname = new URL(`http://${wildcard ? raw.slice(2) : raw}/`).hostname
  } catch {
    return fail('主机名格式不正确')
  }
  const ip = !wildcard && parseIp(hostname)
  if (ip) return cidrEntry(parseCidr(hostname)!, options)
  const name = canonicalName(hostname)
  const labels = name.split('.')
  if (name.length > 253 || !labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels.at(-1)!)) {
    return fail(nameProblem)
  }
  if (isForbiddenName(name)) return fail('不能允许本机或云平台元数据服务的主机名')
  if (wildcard && labels.length < 2) return fail('通配符只能用于二级及以下域名，如 *.wf.gov.cn')
  return { ok: true, value: wildcard ? `*.${name}` : name }
}

function cidrEntry(cidr: Cidr, options: UpstreamRuleOptions): Checked<string> {
  const touched = forbiddenOverlaps(cidr).filter((kind) => !(kind === 'loopback' && options.loopbackForTests && isLoopbackOnly(cidr)))
  if (touched.length > 0) return fail(`该地址或网段包含${touched.map((kind) => ADDRESS_CLASS_LABELS[kind]).join('、')}，不能列入允许清单`)
  return { ok: true, value: formatCidr(cidr) }
}

// Inside 127.0.0.0/8.
const isLoopbackOnly = (cidr: Cidr) => cidr.version === 4 && cidr.prefix >= 8 && cidr.base >> 24n === 127n
