export { MASKING_LABELS, MASKING_RULES, defaultMaskingFor } from '../../../common/masking.ts'

/** A made-up value of the kind an item holds, for previews and sample responses (never real data). */
export function sampleValue(item: { name: string; dataType?: string | null }): string | number | boolean {
  const name = item.name
  if (/身份证|公民身份号码|证件号码/.test(name)) return '370702199001011234'
  if (/手机|电话|联系方式/.test(name)) return '13805361234'
  if (/银行卡|银行账号|账号/.test(name)) return '6222020200112345678'
  if (/出生日期|生日/.test(name)) return '1990-01-01'
  if (/地址|住址|户籍地|居住地|住所/.test(name)) return '山东省潍坊市奎文区东风东街 123 号'
  if (/姓名|名字|权利人|法定代表人/.test(name)) return '张晓明'
  if (/统一社会信用代码|信用代码/.test(name)) return '91370700MA3C123456'
  switch (item.dataType) {
    case 'N':
    case 'Y':
    case 'I':
    case 'F':
      return 12
    case 'D':
      return '2026-11-20'
    case 'T':
      return '2026-11-20 09:30:00'
    case 'L':
      return true
    default:
      return `示例${name}`
  }
}
