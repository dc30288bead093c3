import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { z } from 'zod'
import { scopeOf } from '../../platform/auth/policy.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { FreshnessOut } from './schemas.ts'

/** SPEC §7.3: mounts flagged 未按时更新 and each mount's latest quality report. */
export const freshnessRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/freshness/mounts',
    {
      config: { action: 'freshness.mount.list' },
      schema: {
        tags: ['freshness'],
        summary: '挂接数据的更新及时性与最新一批的质量报告',
        querystring: z.object({ staleOnly: z.enum(['true', 'false']).optional() }),
        response: { 200: FreshnessOut },
      },
    },
    async (req) => {
      const rows = await req.ctx.db
        .selectFrom('mounts as m')
        .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'm.resourceId').on('v.isLatest', '=', true))
        .leftJoin('mountQualityReports as q', 'q.batchId', 'm.activeBatchId')
        .select([
          'm.id as mountId',
          'm.resourceId',
          'v.name as resourceName',
          'v.providerOrgId',
          'm.staleSince',
          'q.batchId',
          'q.createdAt',
          'q.rows',
          'q.previousRows',
          'q.rowSwing',
          'q.duplicateKeys',
          'q.nullRates',
          'q.problems',
        ])
        .where(scopeWhere(scopeOf(req.ctx.actor, 'freshness.mount.list'), { providerOrgId: sql.ref('v.provider_org_id') }))
        .where('m.kind', 'in', ['table', 'file'])
        .$if(req.query.staleOnly === 'true', (qb) => qb.where('m.staleSince', 'is not', null))
        .orderBy('v.name')
        .limit(500)
        .execute()
      return {
        items: rows.map((r) => ({
          mountId: r.mountId,
          resourceId: r.resourceId,
          resourceName: r.resourceName,
          providerOrgId: r.providerOrgId,
          staleSince: r.staleSince ? new Date(r.staleSince) : null,
          latestReport: r.batchId
            ? {
                batchId: r.batchId,
                createdAt: new Date(r.createdAt!),
                rows: r.rows!,
                previousRows: r.previousRows,
                rowSwing: r.rowSwing === null ? null : Number(r.rowSwing),
                duplicateKeys: r.duplicateKeys!,
                nullRates: r.nullRates as Record<string, number>,
                problems: r.problems ?? [],
              }
            : null,
        })),
      }
    },
  )
}
