import { useCallback, useState } from 'react'

/** Filters of a server-paged list: changing any filter goes back to page 1. */
export function useListFilters<T extends Record<string, unknown>>(initial: T) {
  const [state, setState] = useState({ filters: initial, page: 1 })
  const setFilter = useCallback(<K extends keyof T>(key: K, value: T[K]) => setState((s) => ({ filters: { ...s.filters, [key]: value }, page: 1 })), [])
  const setPage = useCallback((page: number) => setState((s) => ({ ...s, page })), [])
  return { ...state.filters, page: state.page, setFilter, setPage }
}
