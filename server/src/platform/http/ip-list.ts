import { BlockList, isIP } from 'node:net'

/**
 * Lists of IP addresses and CIDR ranges (`10.0.0.0/8`, `192.168.1.7`, `fd00::/8`) for settings that
 * admit callers by address: the metrics allow-list and the gateway's per-app allow-list.
 */

/** What is wrong with an entry: not an address at all, or a prefix length the address family does not have. */
export type IpEntryProblem = 'address' | 'prefix'

/** null when the entry is an IP address or CIDR range, else what is wrong with it. */
export function ipEntryProblem(entry: string): IpEntryProblem | null {
  const [address, prefix, extra] = entry.split('/')
  const version = isIP(address)
  if (!version || extra !== undefined) return 'address'
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))) return 'prefix'
  return null
}

/** The entries (already checked with ipEntryProblem) as a matcher; an IPv4 peer seen as ::ffff:a.b.c.d matches its IPv4 entry. */
export function ipListOf(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList()
  for (const entry of entries) {
    const [address, prefix] = entry.split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return (ip) => {
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
    const type = isIP(plain)
    return type !== 0 && list.check(plain, type === 6 ? 'ipv6' : 'ipv4')
  }
}
