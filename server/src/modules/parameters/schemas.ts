import { z } from 'zod'

export const ParameterOut = z.object({
  key: z.string(),
  label: z.string(),
  description: z.string(),
  value: z.number(),
  default: z.number(),
  allowed: z.array(z.number()),
  updatedAt: z.date().nullable(),
  updatedByName: z.string().nullable(),
})

export const ParameterParams = z.object({ key: z.string().max(100).describe('参数键，如 sharing.providerReplyWorkdays') })

export const UpdateParameterBody = z.object({ value: z.number().describe('新值：必须是该参数允许的取值之一') })
