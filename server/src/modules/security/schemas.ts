import { z } from 'zod'

/** Request and response shapes of the security endpoints. */

export const AddUpstreamHostBody = z.object({
  host: z
    .string({ error: '请填写主机名或 IP 地址' })
    .trim()
    .min(1, '请填写主机名或 IP 地址')
    .max(255, '主机名不能超过 255 个字符')
    .describe('主机名（如 api.wf.gov.cn）、通配域名（*.wf.gov.cn）、IP 地址或网段（10.37.0.0/16）'),
  port: z
    .number({ error: '端口应为 1–65535 的整数' })
    .int('端口应为 1–65535 的整数')
    .min(1, '端口应为 1–65535 的整数')
    .max(65535, '端口应为 1–65535 的整数')
    .nullable()
    .default(null)
    .describe('端口；不填表示任意端口'),
  note: z.string({ error: '请填写说明' }).trim().min(1, '请填写说明（用途或依据）').max(200, '说明不能超过 200 个字符').describe('用途或依据'),
})
export type AddUpstreamHostBody = z.infer<typeof AddUpstreamHostBody>

export const UpstreamHostOut = z.object({
  id: z.string(),
  host: z.string().describe('规范化后的主机名、通配域名、IP 地址或网段'),
  port: z.number().int().nullable(),
  note: z.string(),
  createdByName: z.string().nullable(),
  createdAt: z.date(),
})
export type UpstreamHostOut = z.infer<typeof UpstreamHostOut>
