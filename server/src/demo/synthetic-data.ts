import { Readable } from 'node:stream'
import type { Multipart, MultipartFile } from '@fastify/multipart'
import ExcelJS from 'exceljs'
import { COUNTIES } from '../../../common/regions.ts'
import { withUsccCheck } from '../../../common/uscc.ts'
import { registerApi, uploadFile, uploadTableCommand } from '../modules/mounts/service.ts'
import type { Ctx } from '../platform/context.ts'
import type { StoredItem } from '../platform/db/schema.ts'
import { seededRandom } from '../platform/seeded-random.ts'

/**
 * Synthetic rows for the demo's mounted data: values that look like the real thing (valid ID-number
 * and credit-code check characters, Weifang addresses, plausible names) but belong to nobody.
 * Deterministic, so every fresh demo has the same data.
 */

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '欧阳']
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '建国',
  '晓东',
  '海燕',
  '志刚',
]
const STREETS = ['胜利街', '东风街', '健康街', '北海路', '福寿街', '潍州路', '新华路', '樱前街', '文化路', '金宝街']
const COMPANIES = ['潍柴', '鲁丰', '华辰', '昌盛', '恒源', '鸢都', '寿光蔬菜', '青州古城', '诸城恐龙', '安丘农谷']

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** A 居民身份证号 with a correct GB 11643 check character. */
function idNumber(rand: () => number, serial: number) {
  const county = COUNTIES[Math.floor(rand() * COUNTIES.length)].code
  const birth = new Date(Date.UTC(1945 + Math.floor(rand() * 60), Math.floor(rand() * 12), 1 + Math.floor(rand() * 28)))
  const body = `${county}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(serial % 1000).padStart(3, '0')}`
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * ID_WEIGHTS[i], 0)
  return body + '10X98765432'[sum % 11]
}

const pick = <T>(rand: () => number, list: readonly T[]) => list[Math.floor(rand() * list.length)]
const digits = (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('')

/** A day between 1 January of `fromYear` and 31 December of `toYear`, never after `notAfter`. */
function dateIn(rand: () => number, fromYear: number, toYear: number, notAfter: Date) {
  const start = Date.UTC(fromYear, 0, 1)
  const end = Math.min(Date.UTC(toYear, 11, 31), notAfter.getTime())
  return new Date(start + Math.floor(rand() * Math.max(0, end - start))).toISOString().slice(0, 10)
}

// Relations to the head of household as 户籍 records them (GA/T 2000.19 wording).
const RELATIONS = ['户主', '配偶', '子', '女', '父亲', '母亲', '孙子', '孙女']

/** One value for an item, chosen by its data type and what its name says it holds. */
function valueFor(item: StoredItem, rand: () => number, row: number, notAfter: Date): string {
  const name = item.name
  const fit = (text: string) => (item.length ? [...text].slice(0, item.length).join('') : text)
  switch (item.dataType) {
    case 'D':
      return /出生/.test(name) ? dateIn(rand, 1945, 2020, notAfter) : dateIn(rand, 2015, 2026, notAfter)
    case 'T':
      return `${dateIn(rand, 2025, 2026, notAfter)} ${String(8 + Math.floor(rand() * 10)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00`
    case 'L':
      return rand() < 0.8 ? '是' : '否'
    case 'I':
      return String(item.isPrimaryKey ? row : Math.floor(rand() * 500))
    case 'N':
    case 'Y':
    case 'F':
    case 'B':
      return (rand() * (/面积/.test(name) ? 300 : 10_000)).toFixed(item.dataType === 'Y' ? 2 : 1)
  }
  if (/身份证|公民身份号码|证件号码/.test(name)) return idNumber(rand, row)
  if (/统一社会信用代码|信用代码/.test(name)) return withUsccCheck(`91370700MA${digits(rand, 7)}`)
  if (/手机|电话|联系方式/.test(name)) return `1${pick(rand, ['35', '38', '39', '58', '86', '87'])}${digits(rand, 8)}`
  if (/银行卡|账号/.test(name)) return `62${digits(rand, 17)}`
  if (/地址|住址|坐落|户籍地|居住地|住所/.test(name)) {
    return fit(`山东省潍坊市${pick(rand, COUNTIES).name}${pick(rand, STREETS)}${1 + Math.floor(rand() * 300)}号`)
  }
  if (/性别/.test(name)) return rand() < 0.5 ? '男' : '女'
  if (/民族/.test(name)) return rand() < 0.95 ? '汉族' : '回族'
  if (/区县|行政区/.test(name)) return pick(rand, COUNTIES).name
  if (/企业名称|单位名称|机构名称|名称$/.test(name)) return fit(`潍坊${pick(rand, COMPANIES)}${pick(rand, ['科技', '食品', '机械', '商贸', '医药'])}有限公司`)
  if (/与户主关系/.test(name)) return row % 3 === 1 ? '户主' : pick(rand, RELATIONS.slice(1))
  if (/户别/.test(name)) return rand() < 0.9 ? '家庭户' : '集体户'
  if (/姓名|权利人|法定代表人|负责人|联系人|申请人|户主/.test(name)) return fit(pick(rand, SURNAMES) + pick(rand, GIVEN))
  if (/状态/.test(name)) return fit(pick(rand, ['正常', '正常', '正常', '注销', '变更']))
  if (item.isPrimaryKey || /编号|号码|代码|编码/.test(name)) return fit(`WF${String(row).padStart(8, '0')}`)
  return fit(`${name.replace(/信息|名称/g, '')}${row}`)
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

/** A CSV of `rows` synthetic rows over the items with a column name; no date or time after `notAfter` (the upload). */
export function syntheticCsv(items: readonly StoredItem[], rows: number, seed: number, notAfter: Date): string {
  const columns = items.filter((item) => item.nameEn)
  const rand = seededRandom(seed)
  const lines = [columns.map((item) => item.nameEn!).join(',')]
  for (let row = 1; row <= rows; row++) lines.push(columns.map((item) => csvField(valueFor(item, rand, row, notAfter))).join(','))
  return `${lines.join('\n')}\n`
}

const fileStream = (content: Buffer) => Readable.from([content])

/**
 * Mounts demo data so a platform-mode entry can be published (SPEC §5.4 rule 6): a synthetic table
 * when the entry has column names and is shared as 库表 or 接口, else a spreadsheet or text file.
 */
export async function mountDemoData(ctx: Ctx, resource: { id: string; name: string; shareModes: string[]; items: StoredItem[] }, seed: number) {
  const hasColumns = resource.items.some((item) => item.nameEn)
  if (hasColumns && (resource.shareModes.includes('table') || resource.shareModes.includes('api'))) {
    const csv = Buffer.from(syntheticCsv(resource.items, 40, seed, ctx.now()))
    const part = { type: 'file', fieldname: 'file', filename: `${resource.name}.csv`, mimetype: 'text/csv', file: fileStream(csv) } as unknown as Multipart
    // The demo loads through batched inserts on either engine (no COPY client needed for 40 rows).
    return uploadTableCommand(
      ctx,
      { dbKind: 'pglite', pgPool: null },
      resource.id,
      async function* () {
        yield part
      },
      10 * 1024 * 1024,
    )
  }
  if (resource.shareModes.includes('file')) {
    let content: Buffer
    let filename: string
    if (hasColumns) {
      const workbook = new ExcelJS.Workbook()
      const sheet = workbook.addWorksheet('数据')
      for (const line of syntheticCsv(resource.items, 40, seed, ctx.now()).trim().split('\n')) sheet.addRow(line.split(','))
      content = Buffer.from(await workbook.xlsx.writeBuffer())
      filename = `${resource.name}.xlsx`
    } else {
      content = Buffer.from(`${resource.name}\n\n本文件为演示数据，由潍坊市政务数据共享平台生成。\n`)
      filename = `${resource.name}.txt`
    }
    const file = {
      type: 'file',
      fieldname: 'file',
      filename,
      mimetype: 'application/octet-stream',
      file: Object.assign(fileStream(content), { truncated: false }),
    } as unknown as MultipartFile
    return uploadFile(ctx, resource.id, async () => file, 20 * 1024 * 1024)
  }
  if (resource.shareModes.includes('api')) {
    // No department system answers in a demo: a placeholder in the allowed data-centre range (load-demo.ts)
    // that the provider would replace; a call to it fails after the short timeout.
    return registerApi(ctx, resource.id, { upstreamUrl: 'http://10.37.1.20:8080/api/placeholder', method: 'GET', params: [], timeoutMs: 3000 })
  }
}
