import { BlockList, isIP } from 'node:net'

// Answers per list and caller address: the caller's app (and so its list) is cached for the gateway's
// cache time, and building a BlockList and checking an address in it took 20–30 µs a call (bench/README.md).
const answers = new WeakMap<readonly string[], Map<string, boolean>>()
const MAX_ADDRESSES = 1024

function blockListOf(allowList: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of allowList) {
    const [address, prefix] = entry.split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return list
}

/** True when the list is empty or one of its addresses / CIDR blocks contains `ip`. */
export function ipAllowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true
  let known = answers.get(allowList)
  if (!known) answers.set(allowList, (known = new Map()))
  const answer = known.get(ip)
  if (answer !== undefined) return answer
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  const allowed = blockListOf(allowList).check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4')
  if (known.size >= MAX_ADDRESSES) known.clear()
  known.set(ip, allowed)
  return allowed
}

/** null when valid, else a Chinese reason (for schema refinement). */
export function allowEntryProblem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/')
  const version = isIP(address)
  if (!version || extra !== undefined) return `「${entry}」不是有效的 IP 地址或 CIDR 网段`
  if (prefix !== undefined) {
    const bits = Number(prefix)
    if (!/^\d{1,3}$/.test(prefix) || bits > (version === 4 ? 32 : 128)) return `「${entry}」的网段前缀无效`
  }
  return null
}
