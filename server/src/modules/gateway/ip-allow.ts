import { BlockList, isIP } from 'node:net'

/** True when the list is empty or one of its addresses / CIDR blocks contains `ip`. */
export function ipAllowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true
  const list = new BlockList()
  for (const entry of allowList) {
    const [address, prefix] = entry.split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  return list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4')
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
