/**
 * The format problem of an upstream API URL (scheme, credentials), or null: shared by the server's request
 * schema, its call-time check and the console form. Whether the host may be called is the server's
 * allow-list (modules/security/upstream-rules.ts).
 */
export function upstreamUrlShapeProblem(text: string): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return '上游接口地址应为 http:// 或 https:// 开头的完整网址'
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return '上游接口地址应为 http:// 或 https:// 开头的完整网址'
  if (url.username || url.password) return '接口地址中不能包含用户名或密码'
  return null
}
