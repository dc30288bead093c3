import { indexTokens } from '../catalog/index.ts'

/**
 * Chinese text similarity for matching a demand to catalog entries (SPEC §7.9 MATCHED): Dice's
 * coefficient over character bigrams (and Latin words), the tokens the catalog search indexes. Names
 * weigh half; the other half is how well each wanted item finds its best item in the entry.
 */
export function dice(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0
  const set = new Set(b)
  const shared = new Set(a.filter((token) => set.has(token))).size
  return (2 * shared) / (new Set(a).size + set.size)
}

export interface Candidate {
  name: string
  abstract: string
  items: readonly { name: string }[]
}

export function similarity(demand: { title: string; description: string; wantedItems: readonly string[] }, entry: Candidate) {
  const nameScore = Math.max(dice(indexTokens(demand.title), indexTokens(entry.name)), 0.6 * dice(indexTokens(demand.title), indexTokens(entry.abstract)))
  const itemTokens = entry.items.map((item) => ({ name: item.name, tokens: indexTokens(item.name) }))
  const matchedItems: string[] = []
  let itemTotal = 0
  for (const wanted of demand.wantedItems) {
    const tokens = indexTokens(wanted)
    let best = { score: 0, name: '' }
    for (const item of itemTokens) {
      const score = item.name === wanted ? 1 : dice(tokens, item.tokens)
      if (score > best.score) best = { score, name: item.name }
    }
    itemTotal += best.score
    if (best.score >= 0.5) matchedItems.push(best.name)
  }
  const itemScore = demand.wantedItems.length > 0 ? itemTotal / demand.wantedItems.length : 0
  return { score: Math.round((0.5 * nameScore + 0.5 * itemScore) * 1000) / 1000, matchedItems: [...new Set(matchedItems)] }
}
