/**
 * A server response type as it arrives over JSON: the server's zod output schemas use `Date` for
 * timestamps, which travel as ISO 8601 strings.
 */
export type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T

/** `{items,total,page,pageSize}` (API.md "Lists"). */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}
