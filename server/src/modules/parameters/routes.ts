import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ParameterOut, ParameterParams, TenantQuery, UpdateParameterBody } from './schemas.ts'
import { listParameters, updateParameter } from './service.ts'

const tags = ['parameters']

export const parametersRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/parameters',
    {
      config: { action: 'parameter.list' },
      schema: {
        tags,
        summary: '平台参数（期限等）及其允许值：全市或某区县',
        querystring: TenantQuery,
        response: { 200: z.object({ items: z.array(ParameterOut) }) },
      },
    },
    (req) => listParameters(req.ctx, req.query.regionCode),
  )

  app.put(
    '/parameters/:key',
    {
      config: { action: 'parameter.update' },
      schema: {
        tags,
        summary: '修改平台参数（全市，或带 regionCode 为某区县单独设置）',
        params: ParameterParams,
        querystring: TenantQuery,
        body: UpdateParameterBody,
        response: { 200: ParameterOut },
      },
    },
    (req) => updateParameter(req.ctx, req.params.key, req.body, req.query.regionCode),
  )
}
