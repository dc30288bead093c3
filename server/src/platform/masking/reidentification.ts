import { BIRTH_DATE_NAME, ID_NUMBER_NAME, MASKING_LABELS, type MaskingRule } from '../../../../common/masking.ts'

/**
 * Re-identifying combinations of a grant's masking (issue 13 §3), found when the approver decides.
 * Pure: the decision, the authority's direct grant and the console's preview ask the same rules.
 *
 * A 居民身份证 number (GB 11643) is 18 digits: 1–6 the region code (地址码), 7–14 the birth date,
 * 15–17 a sequence number, 18 a check digit computed from the first 17. A masked number can therefore
 * be rebuilt from other items granted with it:
 * - SAME_ID_IN_CLEAR: the number is masked under one item and granted in clear under another;
 * - ID_RECOVERABLE: what the number's own mask keeps, plus a birth date (digits 7–14, or 7–10 when only
 *   the year is kept) and an address or region item (digits 1–6, kept by the address rule too), covers
 *   digits 1–17, so the whole number follows (digit 18 is computed).
 * The approver is warned, not stopped: some duties need both items, and the approver may decide so.
 */
export interface GrantedItemRule {
  id: string
  name: string
  rule: MaskingRule
}

export interface ReidentificationWarning {
  code: 'SAME_ID_IN_CLEAR' | 'ID_RECOVERABLE'
  message: string
  itemIds: string[]
}

const REGION_NAME = /地址|住址|户籍地|居住地|区县|行政区划|籍贯/

const span = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** Digits of an 18-digit number that each rule leaves visible (masking.ts keepEnds and friends). */
const ID_DIGITS_KEPT: Record<MaskingRule, number[]> = {
  none: span(1, 18),
  id_card: [...span(1, 6), ...span(15, 18)],
  phone: [...span(1, 3), ...span(15, 18)],
  bank_card: span(15, 18),
  birth_year: span(1, 4),
  name: [1],
  address: [],
  sm3: [],
  suppress: [],
}

/** Digits of the number a birth-date item gives away: a full date 7–14, a year 7–10. */
function birthDigits(rule: MaskingRule): number[] {
  if (rule === 'birth_year') return span(7, 10)
  if (rule === 'suppress' || rule === 'sm3') return []
  // Any other rule leaves (parts of) the date readable; counted as the whole date, to warn rather than miss.
  return span(7, 14)
}

/** Digits 1–6 (the region code) follow from an address or region kept to its 区/县. */
const regionDigits = (rule: MaskingRule) => (rule === 'none' || rule === 'address' ? span(1, 6) : [])

/** "第1–6、15–18位" */
function digitsText(digits: readonly number[]): string {
  const sorted = [...new Set(digits)].sort((a, b) => a - b)
  const runs: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`)
    i = j
  }
  return `第${runs.join('、')}位`
}

/** The warnings for one set of granted items and their effective rules (defaults already applied). */
export function reidentificationWarnings(items: readonly GrantedItemRule[]): ReidentificationWarning[] {
  const ids = items.filter((item) => ID_NUMBER_NAME.test(item.name))
  const masked = ids.filter((item) => item.rule !== 'none')
  const clear = ids.filter((item) => item.rule === 'none')
  const warnings: ReidentificationWarning[] = []
  for (const id of masked) {
    for (const other of clear) {
      warnings.push({
        code: 'SAME_ID_IN_CLEAR',
        message: `「${id.name}」已脱敏，但「${other.name}」以明文提供证件号码；如两项为同一人的同一号码，脱敏即失去作用。请对两项采用相同的脱敏规则，或只提供其中一项。`,
        itemIds: [id.id, other.id],
      })
    }
    const sources = [
      { item: id, digits: ID_DIGITS_KEPT[id.rule] },
      ...items.filter((item) => BIRTH_DATE_NAME.test(item.name)).map((item) => ({ item, digits: birthDigits(item.rule) })),
      ...items.filter((item) => REGION_NAME.test(item.name)).map((item) => ({ item, digits: regionDigits(item.rule) })),
    ].filter((source) => source.digits.length > 0)
    const known = new Set(sources.flatMap((source) => source.digits))
    if (!span(1, 17).every((digit) => known.has(digit))) continue
    const parts = sources.map(({ item, digits }) => `「${item.name}」${item === id ? `按「${MASKING_LABELS[item.rule]}」保留` : '给出'}${digitsText(digits)}`)
    warnings.push({
      code: 'ID_RECOVERABLE',
      message:
        `「${id.name}」脱敏后仍可还原：18位身份证号由地址码（第1–6位）、出生日期（第7–14位）、顺序码（第15–17位）和校验码（第18位，可由前17位算出）组成，` +
        `${parts.join('，')}，合起来即完整号码。建议出生日期只保留年份或不提供，或对证件号码采用 SM3 假名或不提供。`,
      itemIds: sources.map(({ item }) => item.id),
    })
  }
  return warnings
}
