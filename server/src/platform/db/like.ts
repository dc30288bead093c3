/** Escapes LIKE/ILIKE wildcards so user text matches literally (PostgreSQL's default escape is backslash). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** `%text%` with wildcards escaped. */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`
