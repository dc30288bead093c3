/** Why a gateway call was refused or failed, in words (the call log keeps the stable code). */
const CALL_ERRORS: Record<string, string> = {
  VALIDATION_FAILED: '请求参数有误',
  UNAUTHENTICATED: '未通过身份认证',
  FORBIDDEN: '无权访问',
  NOT_FOUND: '资源不存在',
  NO_GRANT: '没有有效授权',
  GRANT_INACTIVE: '授权已暂停或失效',
  APP_NOT_GRANTED: '该应用不在授权范围内',
  MODE_NOT_GRANTED: '未授权该共享方式',
  IP_NOT_ALLOWED: '来源地址不在应用白名单内',
  RATE_LIMITED: '调用过于频繁',
  QUOTA_EXCEEDED: '超出每日调用配额',
  LOOKUP_PROBING: '查询未命中过多，已暂时限制',
  LOOKUP_ON_MASKED_ITEM: '对脱敏信息项的查询未获授权',
  FILTER_ON_MASKED_ITEM: '不能按脱敏信息项筛选',
  FILTER_ON_ENCRYPTED_ITEM: '不能按加密存储的信息项筛选',
  NOT_MOUNTED: '目录尚未挂接数据',
  SECRET_ON_EXTRANET: '涉密数据不在政务外网提供',
  DATA_KEY_UNAVAILABLE: '数据密钥不可用',
  UPSTREAM_FAILED: '上游接口调用失败',
  UPSTREAM_TIMEOUT: '上游接口超时',
  INTERNAL_ERROR: '平台内部错误',
}

export const callErrorLabel = (code: string) => CALL_ERRORS[code] ?? '其他原因'
