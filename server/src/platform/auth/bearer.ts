/**
 * The token of an `Authorization: Bearer <token>` header, or null. The scheme name is case-insensitive
 * (RFC 9110 §11.1), so `bearer` and `BEARER` work as well.
 */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
  const token = match?.[1]
  return token && token.length <= 200 ? token : null
}
