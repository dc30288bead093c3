import { z } from 'zod'

const text = (max: number) => z.string().trim().max(max, `不超过 ${max} 个字`)

export const DownloadQuery = z.object({
  // Required, but checked after the grant is found: a caller who may not see the grant gets 404, not a 400.
  purpose: text(200).optional().describe('用途（必填，记入下载记录和使用记录）'),
  businessRef: text(64).optional().describe('业务编号 / 办件号（可选）'),
})
export type DownloadQuery = z.infer<typeof DownloadQuery>

export const GrantFileParams = z.object({ id: z.uuid('编号格式不正确'), fileId: z.uuid('文件编号格式不正确') })

export const GrantFileOut = z.object({
  id: z.string(),
  version: z.number().int(),
  fileName: z.string(),
  size: z.number().int(),
  sm3: z.string().describe('所存版本的 SM3 摘要（下载的副本含标记，摘要不同）'),
  createdAt: z.string().datetime(),
})
export type GrantFileOut = z.infer<typeof GrantFileOut>

export const DownloadOut = z.object({
  id: z.string().describe('下载编号：写入所交付文件的标记，可据此追查外泄文件'),
  grantId: z.string(),
  resourceId: z.string(),
  resourceName: z.string(),
  consumerOrgName: z.string(),
  providerOrgName: z.string(),
  userName: z.string().nullable(),
  fileName: z.string(),
  fileVersion: z.number().int(),
  purpose: z.string(),
  businessRef: z.string().nullable(),
  markKind: z
    .enum(['core_properties', 'pdf_info', 'comment_line', 'log_only'])
    .describe('标记写在哪里：文档属性、PDF 文档信息、首行注释，或仅记录在下载日志（该格式无处写入）'),
  deliveredSm3: z.string().describe('交付副本（含标记）的 SM3 摘要'),
  at: z.string().datetime(),
})
export type DownloadOut = z.infer<typeof DownloadOut>
