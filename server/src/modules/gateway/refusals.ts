import { AppError, type ErrorDetail } from '../../platform/http/errors.ts'
import { schemaErrorDetails } from '../../platform/http/error-handler.ts'

/** A refusal of the gateway: an API.md error code plus the SPEC §6.6 error class for the call log. */
export class GatewayRefusal extends AppError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly errorClass: string,
    details?: ErrorDetail[],
  ) {
    super(status, code, message, details)
  }
}
export const refuse = {
  noToken: () => new GatewayRefusal(401, 'UNAUTHENTICATED', '访问令牌无效或已过期，请重新获取', '无调用权限'),
  userToken: () =>
    new GatewayRefusal(
      401,
      'WRONG_TOKEN_KIND',
      '这是用户登录令牌，不能调用数据接口：请用应用标识和密钥换取应用访问令牌（POST /api/v1/gateway/token）',
      '无调用权限',
    ),
  ip: () => new GatewayRefusal(403, 'IP_NOT_ALLOWED', '调用来源 IP 不在应用白名单内', '无调用权限'),
  noGrant: () => new GatewayRefusal(403, 'NO_GRANT', '本单位没有该资源的有效授权，请先提交共享申请', '无调用权限'),
  inactive: (status: string) =>
    new GatewayRefusal(403, 'GRANT_INACTIVE', `授权已${status === 'revoked' ? '撤销' : status === 'suspended' ? '暂停' : '过期'}，不能调用`, '无调用权限'),
  app: () => new GatewayRefusal(403, 'APP_NOT_GRANTED', '该授权不包含本应用：授权只对共享申请中列明的应用有效，请以本应用重新申请', '无调用权限'),
  mode: () => new GatewayRefusal(403, 'MODE_NOT_GRANTED', '该授权不是接口方式，不能通过接口调用', '无调用权限'),
  notFound: () => new GatewayRefusal(404, 'NOT_FOUND', '资源不存在或未发布', '参数校验失败'),
  param: (message: string) => new GatewayRefusal(400, 'VALIDATION_FAILED', message, '参数校验失败'),
  schema: (error: Error) => new GatewayRefusal(400, 'VALIDATION_FAILED', '输入有误，请检查标注的字段', '参数校验失败', schemaErrorDetails(error)),
  rate: () => new GatewayRefusal(429, 'RATE_LIMITED', '调用过于频繁，请稍后再试', '超限'),
  quota: () => new GatewayRefusal(429, 'QUOTA_EXCEEDED', '今日调用次数已用完', '超限'),
  noData: () => new GatewayRefusal(409, 'NOT_MOUNTED', '提供方尚未挂接数据', '调用失败'),
  sealedFilter: (key: string) =>
    new GatewayRefusal(
      409,
      'FILTER_ON_ENCRYPTED_ITEM',
      `授权的行过滤条件「${key}」作用于加密存储的信息项，只支持等值（eq/in）条件；请提供方调整授权`,
      '调用失败',
    ),
  maskedLookup: (key: string) =>
    new GatewayRefusal(
      403,
      'LOOKUP_ON_MASKED_ITEM',
      `信息项「${key}」按授权脱敏提供，不能作为查询条件；如需凭已掌握的完整值联机查询，请提供方在授权中将其设为查询键`,
      '无调用权限',
    ),
  maskedFilter: (key: string) =>
    new GatewayRefusal(
      409,
      'FILTER_ON_MASKED_ITEM',
      `授权的行过滤条件「${key}」作用于脱敏提供的信息项，会透露被遮盖的内容，暂停提供；请提供方调整授权`,
      '调用失败',
    ),
  probing: () => new GatewayRefusal(429, 'LOOKUP_PROBING', '短时间内查询未命中次数过多，本分钟内暂停该应用的调用，并已提示安全管理员核查', '超限'),
  secret: () => new GatewayRefusal(403, 'SECRET_ON_EXTRANET', '本平台为政务外网实例，不提供涉密信息资源或涉密信息项的数据', '无调用权限'),
  upstream: () => new GatewayRefusal(502, 'UPSTREAM_FAILED', '数据源暂时无法提供数据，请稍后再试或联系提供方', '调用失败'),
  timeout: () => new GatewayRefusal(504, 'UPSTREAM_TIMEOUT', '数据源响应超时', '超时'),
}
