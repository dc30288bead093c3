import { ipEntryProblem, ipListOf } from '../../platform/http/ip-list.ts'

// Answers per list and caller address: the caller's app (and so its list) is cached for the gateway's
// cache time, and building a BlockList and checking an address in it took 20–30 µs a call (bench/README.md).
const answers = new WeakMap<readonly string[], { matches: (ip: string) => boolean; known: Map<string, boolean> }>()
const MAX_ADDRESSES = 1024

/** True when the list is empty or one of its addresses / CIDR blocks contains `ip`. */
export function ipAllowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true
  let cached = answers.get(allowList)
  if (!cached) answers.set(allowList, (cached = { matches: ipListOf(allowList), known: new Map() }))
  const answer = cached.known.get(ip)
  if (answer !== undefined) return answer
  const allowed = cached.matches(ip)
  if (cached.known.size >= MAX_ADDRESSES) cached.known.clear()
  cached.known.set(ip, allowed)
  return allowed
}

/** null when valid, else a Chinese reason (for schema refinement). */
export function allowEntryProblem(entry: string): string | null {
  const problem = ipEntryProblem(entry)
  if (problem === 'address') return `「${entry}」不是有效的 IP 地址或 CIDR 网段`
  if (problem === 'prefix') return `「${entry}」的网段前缀无效`
  return null
}
