import { z } from 'zod'

/** GET /freshness/mounts: mounts flagged 未按时更新 and each mount's latest quality report. */
export const FreshnessOut = z.object({
  items: z.array(
    z.object({
      mountId: z.string(),
      resourceId: z.string(),
      resourceName: z.string(),
      providerOrgId: z.string(),
      staleSince: z.date().nullable(),
      latestReport: z
        .object({
          batchId: z.string(),
          createdAt: z.date(),
          rows: z.number(),
          previousRows: z.number().nullable(),
          rowSwing: z.number().nullable(),
          duplicateKeys: z.number(),
          nullRates: z.record(z.string(), z.number()),
          problems: z.array(z.string()),
        })
        .nullable(),
    }),
  ),
})
