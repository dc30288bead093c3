/**
 * A reason someone else must act on (a refusal the requester may take to coordination, a change to a
 * city-wide parameter) needs substance: long enough to name a ground, and more than a stock phrase
 * such as 「不同意」 or 「材料不全」 repeated. Shared by the server's schemas and the console's forms.
 */
export const REASON_MIN_CHARS = 8

/** Phrases that say "no" or "changed" without saying why; a reason made only of these is refused. */
export const STOCK_PHRASES = [
  '不同意',
  '同意',
  '不予同意',
  '不批准',
  '不通过',
  '拒绝',
  '驳回',
  '不予共享',
  '不予提供',
  '不符合要求',
  '不符合条件',
  '不符合规定',
  '材料不全',
  '资料不全',
  '理由不充分',
  '依据不足',
  '无',
  '没有',
  '其他',
  '调整',
  '修改',
  '变更',
  '工作需要',
  '业务需要',
  '按要求',
  '根据要求',
  '测试',
  '暂不提供',
  '请补充',
  '见附件',
  '详见附件',
  '情况说明',
] as const

// Longest first, so 「不同意」 is taken whole rather than as 「不」 + 「同意」.
const STOCK_PATTERN = new RegExp(`(${[...STOCK_PHRASES].sort((a, b) => b.length - a.length).join('|')})`, 'g')

/** Why `text` is not a reason yet (a Chinese sentence naming `label`), or null when it is one. */
export function reasonProblem(text: string, label: string, minChars = REASON_MIN_CHARS): string | null {
  const plain = text.replace(/[\s\p{P}\p{S}]/gu, '')
  if (plain.length === 0) return `${label}不能为空`
  if (plain.replace(STOCK_PATTERN, '').length === 0) return `${label}不能只写「${plain.slice(0, 12)}」之类的套话，请写明具体事实和依据`
  if ([...plain].length < minChars) return `${label}至少写 ${minChars} 个字，说明具体事实和依据`
  return null
}
