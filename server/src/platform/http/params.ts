import { z } from 'zod'

/** `/:id` path parameter: a UUID, so a malformed id is a 400 and never reaches SQL. */
export const IdParams = z.object({ id: z.uuid('编号格式不正确') })
