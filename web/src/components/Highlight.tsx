import type { ReactNode } from 'react'

/** `text` with every occurrence of `terms` (the search's terms and their synonyms) marked, longest term first. */
export function Highlight({ text, terms }: { text: string; terms: readonly string[] }): ReactNode {
  const wanted = [...new Set(terms.filter((t) => t.length > 0))].sort((a, b) => b.length - a.length)
  if (wanted.length === 0 || !text) return text
  const escaped = wanted.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  const parts = text.split(new RegExp(`(${escaped.join('|')})`, 'gi'))
  return parts.map((part, index) =>
    index % 2 === 1 ? (
      <mark key={index} className="search-hit">
        {part}
      </mark>
    ) : (
      part
    ),
  )
}
