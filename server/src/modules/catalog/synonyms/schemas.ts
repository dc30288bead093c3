import { z } from 'zod'

// One search term: 2–20 characters without spaces (a search splits its input on spaces).
const term = (label: string) =>
  z.string(`${label}不能为空`).trim().min(2, `${label}至少两个字`).max(20, `${label}不能超过 20 字`).regex(/^\S+$/, `${label}不能含空格`)

export const SynonymParams = z.object({ term: term('简称') })

export const SynonymBody = z.object({
  expansions: z
    .array(term('对应的全称'), '对应的全称不能为空')
    .min(1, '至少填写一个对应的全称')
    .max(10, '对应的全称最多 10 个')
    .describe('检索该简称时一并检索的全称，如 社保 → 社会保险、社会保障'),
})
export type SynonymBody = z.infer<typeof SynonymBody>

export const SynonymOut = z.object({
  term: z.string().describe('简称（用户输入的检索词）'),
  expansions: z.array(z.string()).describe('一并检索的全称'),
  updatedAt: z.date(),
  updatedByName: z.string().nullable().describe('最后修改人；种子数据为空'),
})
export type SynonymOut = z.infer<typeof SynonymOut>
