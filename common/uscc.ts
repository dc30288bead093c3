/** 统一社会信用代码 (GB 32100-2015) check (SPEC §4.3). */

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** The check character for the first 17 characters, or null when one of them is outside the charset. */
export function usccCheckChar(first17: string): string | null {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = CHARSET.indexOf(first17[i] ?? '')
    if (value < 0) return null
    sum += value * WEIGHTS[i]
  }
  return CHARSET[(31 - (sum % 31)) % 31]
}

/** null when valid, else a Chinese reason. */
export function usccProblem(code: string): string | null {
  if (code.length !== 18) return '统一社会信用代码应为 18 位'
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return '统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）'
  const expected = usccCheckChar(code.slice(0, 17))
  if (expected !== code[17]) return `统一社会信用代码校验位错误（按前 17 位计算应为 ${expected}）`
  return null
}

/** Completes 17 characters with their check character (demo data, tests). */
export const withUsccCheck = (first17: string) => first17 + (usccCheckChar(first17) ?? '')
