/**
 * Catalog full-text search that works for Chinese terms of two characters or more.
 *
 * pg_trgm cannot index patterns shorter than three characters (STACK.md §1), so each CJK run is
 * indexed as its overlapping character bigrams and each Latin/digit run as one lower-cased word,
 * stored with array_to_tsvector (no parser or dictionary: the same on PostgreSQL 15 and PGlite).
 * A query term becomes the AND of its bigrams (Latin words as prefixes), answered by the GIN index;
 * an ILIKE re-check on the few candidates then keeps exact substring semantics, since bigrams of a
 * term can all occur in a text without the term itself.
 */

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g
const WORD_RUN = /[a-z0-9]+/g

export const MAX_TOKENS_PER_TERM = 12

/** Index tokens for a text: CJK bigrams and Latin/digit words, deduplicated. */
export function indexTokens(text: string): string[] {
  const tokens = new Set<string>()
  const lower = text.toLowerCase()
  for (const [run] of lower.matchAll(CJK_RUN)) {
    const chars = [...run]
    for (let i = 0; i + 1 < chars.length; i++) tokens.add(chars[i] + chars[i + 1])
  }
  for (const [word] of lower.matchAll(WORD_RUN)) tokens.add(word.slice(0, 40))
  return [...tokens]
}

export interface ParsedQuery {
  /** tsquery text, e.g. `'户籍' & '籍信' & 'gis':*`; null when no term yields an index token. */
  tsquery: string | null
  /** Each whitespace-separated term; every one must occur as a substring. */
  terms: string[]
  /**
   * Per term, the texts that satisfy it: the term itself, then its expansions from the synonym list
   * (社保 → 社会保险、社会保障); an entry matches a term when it contains any of them.
   */
  groups: string[][]
}

/** A term's index query: the AND of its CJK bigrams, Latin words as prefixes. */
function termTokens(term: string): string[] {
  const lower = term.toLowerCase()
  const tokens: string[] = []
  for (const [run] of lower.matchAll(CJK_RUN)) {
    const chars = [...run]
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(`'${chars[i]}${chars[i + 1]}'`)
  }
  // A word at the end of a term may be cut short by the user: match it as a prefix.
  for (const [word] of lower.matchAll(WORD_RUN)) tokens.push(`'${word.slice(0, 40)}':*`)
  return [...new Set(tokens)].slice(0, MAX_TOKENS_PER_TERM)
}

/** The terms of user input (at most five), before any is checked. */
export const searchTerms = (q: string) => q.split(/\s+/).filter(Boolean).slice(0, 5)

/**
 * Splits user input into terms and their index query, each term widened by its synonyms (an OR in
 * the index query). Returns `tooShort` for a term shorter than two characters.
 */
export function parseSearch(q: string, synonyms: ReadonlyMap<string, readonly string[]> = new Map()): ParsedQuery | { tooShort: string } {
  const terms = searchTerms(q)
  const parts: string[] = []
  const groups: string[][] = []
  for (const term of terms) {
    if ([...term].length < 2) return { tooShort: term }
    const group = [...new Set([term, ...(synonyms.get(term) ?? [])])]
    groups.push(group)
    const alternatives = group.map(termTokens)
    // A term without index tokens (punctuation only) matches by the re-check alone; so does its group.
    if (alternatives.some((tokens) => tokens.length === 0)) continue
    if (alternatives.length === 1) parts.push(...alternatives[0])
    else parts.push(`(${alternatives.map((tokens) => `(${tokens.join(' & ')})`).join(' | ')})`)
  }
  return { tsquery: parts.length > 0 ? [...new Set(parts)].join(' & ') : null, terms, groups }
}

/** The text the re-check runs on: name, abstract and item names. */
export const searchTextOf = (entry: { name: string; abstract: string; items: readonly { name: string }[] }) =>
  [entry.name, entry.abstract, ...entry.items.map((item) => item.name)].join('\n')
