import { MASKING_LABELS } from '../../../../common/masking.ts'
import { authorizeLoaded } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import { errorComponents, errorResponseRefs } from '../../platform/http/openapi.ts'
import { VERSION } from '../../version.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { type GrantView, findGrantView } from '../sharing/index.ts'
import { grantedItems } from './read/plan.ts'

/**
 * The OpenAPI document of one grant (X-Road's getOpenAPI, with the grant applied): the records call of
 * exactly this resource, with the items the grant lets through today as response fields (masking named),
 * the items it lets the consumer query by as parameters (the lookup keys required), and its limits.
 * The same rules as the gateway (read/plan.ts grantedItems), so the document says what a call gets.
 */
export async function grantOpenApi(ctx: Ctx, grantId: string) {
  const grant = authorizeLoaded(ctx.actor, 'gateway.grant.openapi.read', await findGrantView(ctx.db, grantId), '授权')
  const entry = await findPublishedEntry(ctx.db, grant.resourceId)
  return buildGrantDocument(grant, entry ? grantedItems(grant, entry.items) : [])
}

type Granted = ReturnType<typeof grantedItems>

export function buildGrantDocument(grant: GrantView, granted: Granted) {
  const lookupKeys = new Set(grant.lookupKeys.map((key) => key.toLowerCase()))
  const isLookupKey = (key: string) => lookupKeys.has(key.toLowerCase())
  // A masked item can be queried only as a lookup key (the gateway refuses it otherwise: LOOKUP_ON_MASKED_ITEM).
  const queryable = granted.filter(({ item, key, rule }) => item.nameEn && (rule === 'none' || isLookupKey(key)))
  const field = ({ item, rule }: Granted[number]) => ({
    description: `${item.name}${rule === 'none' ? '' : `（脱敏：${MASKING_LABELS[rule]}）`}`,
    ...(rule === 'suppress' ? { type: 'string', nullable: true, enum: [null] } : rule !== 'none' ? { type: 'string', nullable: true } : {}),
  })
  const filters = Object.entries(grant.rowFilter).map(([key, condition]) => `${key} ${JSON.stringify(condition)}`)
  const terms = [
    `授权 ${grant.id}：${grant.consumerName} 使用 ${grant.providerName} 的「${grant.resourceName}」`,
    `状态 ${grant.status}，有效期 ${grant.validFrom} 至 ${grant.validUntil}`,
    `每分钟至多 ${grant.rateLimitPerMinute} 次，每日至多 ${grant.dailyQuota} 次调用`,
    grant.lookupKeys.length > 0 ? `联机查询：每次调用须提供查询键 ${grant.lookupKeys.join('、')}` : '',
    filters.length > 0 ? `只返回满足行过滤条件的记录：${filters.join('；')}` : '',
  ].filter(Boolean)
  return {
    openapi: '3.0.3',
    info: { title: `${grant.resourceName} 数据接口（按授权）`, version: VERSION, description: terms.join('。\n') },
    servers: [{ url: '/api/v1' }],
    tags: [{ name: 'gateway' }],
    security: [{ appToken: [] }],
    'x-govshare-grant': {
      grantId: grant.id,
      resourceId: grant.resourceId,
      status: grant.status,
      validFrom: grant.validFrom,
      validUntil: grant.validUntil,
      rateLimitPerMinute: grant.rateLimitPerMinute,
      dailyQuota: grant.dailyQuota,
      lookupKeys: grant.lookupKeys,
      masking: Object.fromEntries(granted.map(({ key, rule }) => [key, rule])),
      rowFilter: grant.rowFilter,
    },
    paths: {
      '/gateway/token': {
        post: {
          tags: ['gateway'],
          operationId: 'issueAccessToken',
          summary: '以应用标识和密钥换取访问令牌',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['appKey', 'appSecret'], properties: { appKey: { type: 'string' }, appSecret: { type: 'string' } } },
              },
            },
          },
          responses: {
            '200': {
              description: '访问令牌',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['accessToken', 'expiresIn', 'tokenType'],
                    properties: {
                      accessToken: { type: 'string' },
                      expiresIn: { type: 'integer', description: '有效秒数' },
                      tokenType: { type: 'string', enum: ['Bearer'] },
                    },
                  },
                },
              },
            },
            ...errorResponseRefs([400, 401, 429, 500]),
          },
        },
      },
      [`/gateway/resources/${grant.resourceId}/records`]: {
        get: {
          tags: ['gateway'],
          operationId: 'readRecords',
          summary: `读取「${grant.resourceName}」的数据记录`,
          description: terms.join('。\n'),
          parameters: [
            {
              in: 'query',
              name: 'limit',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
              description: '每次返回的记录数',
            },
            {
              in: 'query',
              name: 'offset',
              required: false,
              schema: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
              description: '跳过的记录数',
            },
            {
              in: 'query',
              name: 'businessRef',
              required: false,
              schema: { type: 'string', maxLength: 64 },
              description: '办件号（也可用请求头 X-Business-Ref）',
            },
            ...queryable.map(({ item, key, rule }) => ({
              in: 'query',
              name: key,
              required: isLookupKey(key),
              schema: { type: 'string', maxLength: 200 },
              description: `按「${item.name}」精确查询${isLookupKey(key) ? '（查询键，每次调用必填）' : ''}${rule === 'none' ? '' : '：须为完整取值，返回的值仍脱敏'}`,
            })),
          ],
          responses: {
            '200': {
              description: '授权范围内的记录',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['items', 'grantId', 'requestId', 'limit', 'offset'],
                    properties: {
                      items: {
                        type: 'array',
                        items: {
                          type: 'object',
                          required: granted.map(({ key }) => key),
                          properties: Object.fromEntries(granted.map((g) => [g.key, field(g)])),
                          additionalProperties: false,
                        },
                      },
                      grantId: { type: 'string', enum: [grant.id] },
                      requestId: { type: 'string', nullable: true },
                      limit: { type: 'integer' },
                      offset: { type: 'integer' },
                    },
                  },
                },
              },
            },
            ...errorResponseRefs([400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
          },
        },
      },
    },
    components: { securitySchemes: { appToken: { type: 'http', scheme: 'bearer', description: '应用访问令牌（POST /gateway/token）' } }, ...errorComponents() },
  }
}
