import type { MaskingRule } from '../../../../common/masking.ts'
import { sm3HmacHex } from '../crypto/sm3.ts'

export { MASKING_LABELS, MASKING_RULES, type MaskingRule, defaultMaskingFor } from '../../../../common/masking.ts'

/**
 * Field-level desensitization (SPEC §8.3 S9, API.md "Sharing"). Rules are data: a grant maps each
 * item to one of these names, and every path that lets data leave applies `maskValue`.
 */
const stars = (n: number) => '*'.repeat(Math.max(n, 0))

/** Keeps `head` leading and `tail` trailing characters; short values are starred entirely. */
function keepEnds(value: string, head: number, tail: number): string {
  const chars = [...value]
  if (chars.length <= head + tail) return stars(chars.length)
  return chars.slice(0, head).join('') + stars(chars.length - head - tail) + chars.slice(chars.length - tail).join('')
}

// Double-surname list kept short: the common ones of GB/T 2261-era registers.
const DOUBLE_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '令狐', '长孙', '宇文', '司徒', '夏侯', '端木', '澹台', '南宫']

function maskName(value: string): string {
  const chars = [...value.trim()]
  if (chars.length === 0) return ''
  const surnameLength = DOUBLE_SURNAMES.some((s) => value.startsWith(s)) && chars.length > 2 ? 2 : 1
  return chars.slice(0, surnameLength).join('') + stars(Math.max(chars.length - surnameLength, 1))
}

// Keep an address up to its 区/县 (or county-level 市): "山东省潍坊市奎文区东风街123号" → "山东省潍坊市奎文区****".
const ADMIN_PREFIX = /^((?:.{1,8}?(?:省|自治区))?(?:.{1,8}?(?:市|自治州|地区|盟))?(?:.{1,8}?(?:区|县|市|旗))?)/
function maskAddress(value: string): string {
  const prefix = ADMIN_PREFIX.exec(value)?.[1] ?? ''
  return prefix && prefix !== value ? `${prefix}****` : stars(Math.min([...value].length, 4))
}

function birthYear(value: unknown): string | null {
  if (value instanceof Date) return String(value.getUTCFullYear())
  const match = /^(\d{4})/.exec(String(value))
  return match ? match[1] : null
}

/**
 * Applies one rule to one value. `pseudonymKey` salts the SM3 pseudonym (per platform and consumer,
 * so one consumer's pseudonyms join within its own data but not across consumers).
 */
export function maskValue(rule: MaskingRule, value: unknown, pseudonymKey = ''): unknown {
  if (value === null || value === undefined || rule === 'none') return value ?? null
  if (rule === 'suppress') return null
  if (rule === 'birth_year') return birthYear(value)
  const text = value instanceof Date ? value.toISOString() : String(value)
  switch (rule) {
    case 'id_card':
      return keepEnds(text, 6, 4)
    case 'phone':
      return keepEnds(text, 3, 4)
    case 'bank_card':
      return keepEnds(text, 0, 4)
    case 'name':
      return maskName(text)
    case 'address':
      return maskAddress(text)
    case 'sm3':
      return sm3HmacHex(pseudonymKey, text)
  }
}

/** The default rule for an item nobody chose one for (SPEC §8.3 S9 "default for non-owners"). */
