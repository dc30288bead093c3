import { z } from 'zod'
import { LIMITS } from '../../../../common/limits.ts'

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).describe('页码，从 1 开始'),
  pageSize: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(20).describe('每页条数 1–200'),
})
export type PageQuery = z.infer<typeof PageQuery>

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })

export const pageOffset = (query: PageQuery) => (query.page - 1) * query.pageSize
