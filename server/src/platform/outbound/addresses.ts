import { isIPv4, isIPv6 } from 'node:net'

/**
 * IP addresses and ranges for outbound-call checks (SSRF): parsing, ranges, and the class of an address.
 * IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged as that IPv4 address,
 * so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
 */

export type Ip = { readonly version: 4; readonly value: bigint } | { readonly version: 6; readonly value: bigint }

export interface Cidr {
  readonly version: 4 | 6
  /** The first address of the range (host bits cleared). */
  readonly base: bigint
  readonly prefix: number
}

const BITS = { 4: 32, 6: 128 } as const

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function parseV6(text: string): bigint {
  let body = text
  let tail: bigint | null = null
  // An embedded dotted quad takes the last 32 bits.
  const lastColon = body.lastIndexOf(':')
  if (body.slice(lastColon + 1).includes('.')) {
    tail = parseV4(body.slice(lastColon + 1))
    body = `${body.slice(0, lastColon + 1)}0:0`
  }
  const [head, rest] = body.includes('::') ? body.split('::') : [body, null]
  const headGroups = head ? head.split(':') : []
  const restGroups = rest ? rest.split(':') : []
  const groups = rest === null ? headGroups : [...headGroups, ...Array(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups]
  let value = groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n)
  if (tail !== null) value = (value & ~0xffffffffn) | tail
  return value
}

/** A literal IP address (IPv6 with or without brackets; no zone id), or null. Only canonical dotted IPv4 is taken. */
export function parseIp(text: string): Ip | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (isIPv4(bare)) return { version: 4, value: parseV4(bare) }
  if (isIPv6(bare) && !bare.includes('%')) return { version: 6, value: parseV6(bare) }
  return null
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). Host bits must be zero. */
export function parseCidr(text: string): Cidr | null {
  const cidr = parseRawCidr(text)
  return cidr && normalizeCidr(cidr)
}

// The built-in ranges are kept as written (::ffff:0:0/96 must stay an IPv6 range).
const v4 = (text: string): Cidr => parseRawCidr(text)!
const v6 = v4

function parseRawCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (!ip) return null
  const bits = BITS[ip.version]
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText)) return null
  const prefix = Number(prefixText)
  if (prefix > bits) return null
  const hostMask = (1n << BigInt(bits - prefix)) - 1n
  if ((ip.value & hostMask) !== 0n) return null
  return { version: ip.version, base: ip.value, prefix }
}

const MAPPED = { base: 0xffffn << 32n, prefix: 96 }

/** An IPv6 range inside ::ffff:0:0/96 is kept as the IPv4 range it maps. */
function normalizeCidr(cidr: Cidr): Cidr {
  if (cidr.version === 6 && cidr.prefix >= 96 && cidr.base >> 32n === MAPPED.base >> 32n) {
    return { version: 4, base: cidr.base & 0xffffffffn, prefix: cidr.prefix - 96 }
  }
  return cidr
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.version !== ip.version) return false
  const shift = BigInt(BITS[cidr.version] - cidr.prefix)
  return ip.value >> shift === cidr.base >> shift
}

/** Whether two ranges share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false
  return cidrContains(a, { version: a.version, value: b.base } as Ip) || cidrContains(b, { version: b.version, value: a.base } as Ip)
}

export function formatCidr(cidr: Cidr): string {
  const address = formatIp({ version: cidr.version, value: cidr.base } as Ip)
  return cidr.prefix === BITS[cidr.version] ? address : `${address}/${cidr.prefix}`
}

export function formatIp(ip: Ip): string {
  if (ip.version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.')
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16))
  // Compress the longest run of zero groups (RFC 5952).
  let best = { at: -1, length: 0 }
  for (let i = 0; i < 8; ) {
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i }
    i = j === i ? i + 1 : j
  }
  if (best.at < 0) return groups.join(':')
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`
}

/**
 * The IPv4 address an IPv6 address stands for, if any: ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible),
 * 64:ff9b::a.b.c.d (NAT64) and 2002:aabb:ccdd:: (6to4). A gateway may route those to the IPv4 address.
 */
export function embeddedIpv4(ip: Ip): Ip | null {
  if (ip.version === 4) return null
  const high96 = ip.value >> 32n
  const low32 = ip.value & 0xffffffffn
  if (high96 === 0xffffn || high96 === 0x64ff9b0000000000000000n) return { version: 4, value: low32 }
  // ::a.b.c.d, but not :: and ::1 themselves.
  if (high96 === 0n && low32 > 1n) return { version: 4, value: low32 }
  if (ip.value >> 112n === 0x2002n) return { version: 4, value: (ip.value >> 80n) & 0xffffffffn }
  return null
}

/** What an address is, as far as outbound calls care. */
export type AddressClass = 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved' | 'private' | 'public'

/** Classes no upstream may ever have, whatever the allow-list says. */
export const FORBIDDEN_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'link-local', 'metadata', 'unspecified', 'multicast', 'reserved'])

export const ADDRESS_CLASS_LABELS: Record<AddressClass, string> = {
  loopback: '回环地址',
  'link-local': '链路本地地址',
  metadata: '云平台元数据地址',
  unspecified: '未指定地址',
  multicast: '组播或广播地址',
  reserved: '保留地址',
  private: '内网地址',
  public: '公网地址',
}

// Checked in order: the first range that contains the address decides.
const RANGES: readonly (readonly [Cidr, AddressClass])[] = [
  // Cloud metadata services: AWS/Azure/Huawei/GCP, Alibaba Cloud, AWS over IPv6.
  [v4('169.254.169.254'), 'metadata'],
  [v4('100.100.100.200'), 'metadata'],
  [v6('fd00:ec2::254'), 'metadata'],
  [v4('0.0.0.0/8'), 'unspecified'],
  [v4('127.0.0.0/8'), 'loopback'],
  [v4('169.254.0.0/16'), 'link-local'],
  [v4('224.0.0.0/4'), 'multicast'],
  [v4('240.0.0.0/4'), 'reserved'], // includes 255.255.255.255
  [v4('192.0.0.0/24'), 'reserved'],
  [v4('10.0.0.0/8'), 'private'],
  [v4('172.16.0.0/12'), 'private'],
  [v4('192.168.0.0/16'), 'private'],
  [v4('100.64.0.0/10'), 'private'], // carrier-grade NAT, used inside clouds
  [v4('198.18.0.0/15'), 'private'],
  [v6('::/128'), 'unspecified'],
  [v6('::1/128'), 'loopback'],
  [v6('fe80::/10'), 'link-local'],
  [v6('ff00::/8'), 'multicast'],
  [v6('2001::/32'), 'reserved'], // Teredo: the IPv4 peer is obfuscated
  [v6('fc00::/7'), 'private'],
  [v6('fec0::/10'), 'private'], // deprecated site-local
]

/** Ranges that carry IPv4 addresses inside IPv6: an allow-list range may not cover them (they would hide loopback). */
export const IPV4_CARRYING_RANGES: readonly Cidr[] = [v6('::ffff:0:0/96'), v6('::/96'), v6('64:ff9b::/96'), v6('2002::/16')]

export function classifyIp(ip: Ip): AddressClass {
  const judged = embeddedIpv4(ip) ?? ip
  return RANGES.find(([range]) => cidrContains(range, judged))?.[1] ?? 'public'
}

/** The always-forbidden ranges that a candidate allow-list range overlaps, with their class. */
export function forbiddenOverlaps(cidr: Cidr): AddressClass[] {
  const classes = RANGES.filter(([range, kind]) => FORBIDDEN_CLASSES.has(kind) && cidrsOverlap(range, cidr)).map(([, kind]) => kind)
  if (IPV4_CARRYING_RANGES.some((range) => cidrsOverlap(range, cidr))) classes.push('reserved')
  return [...new Set(classes)]
}

/** An address as an `Ip` judged for class (the IPv4 address inside an IPv4-carrying IPv6 address). */
export const judgedIp = (ip: Ip): Ip => embeddedIpv4(ip) ?? ip
