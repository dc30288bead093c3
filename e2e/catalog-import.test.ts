import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, setChecked } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const GOOD_A = '旅馆业治安管理许可信息（导入）'
const BAD = '典当业治安管理备案信息（导入）'
const GOOD_B = '保安服务公司许可信息（导入）'

/**
 * A workbook in the 2017 template columns (server/src/modules/catalog/excel/columns.ts): three
 * entries, the second with a 有条件共享 item that has no 共享条件 (line 4 of 「信息项」).
 */
async function workbook(dir: string, classCode: string) {
  const book = new ExcelJS.Workbook()
  const resources = book.addWorksheet('信息资源')
  resources.addRow([
    '序号',
    '信息资源名称',
    '信息资源摘要',
    '信息资源格式分类',
    '信息资源格式类型',
    '共享条件',
    '共享依据',
    '共享方式分类',
    '共享方式类型',
    '是否向社会开放',
    '更新周期',
    '信息资源分类(分类码)',
  ])
  const row = (seq: number, name: string, conditional: boolean) => [
    seq,
    name,
    `${name.replace('（导入）', '')}，含许可编号、单位名称和许可日期。`,
    '数据库',
    'PostgreSQL',
    conditional ? '仅向承担治安管理职责的部门提供' : '',
    conditional ? '《旅馆业治安管理办法》' : '',
    '共享平台方式',
    '接口',
    '否',
    '每月',
    classCode,
  ]
  resources.addRow(row(1, GOOD_A, false))
  resources.addRow(row(2, BAD, true))
  resources.addRow(row(3, GOOD_B, false))
  const items = book.addWorksheet('信息项')
  items.addRow(['资源序号', '信息项名称', '英文名', '数据类型', '数据长度', '共享类型', '共享条件'])
  items.addRow([1, '许可证编号', 'licence_no', '字符型', 32, '无条件共享', ''])
  items.addRow([2, '单位名称', 'org_name', '字符型', 100, '无条件共享', ''])
  items.addRow([2, '法定代表人身份证号', 'legal_rep_id', '字符型', 18, '有条件共享', ''])
  items.addRow([3, '许可证编号', 'licence_no', '字符型', 32, '无条件共享', ''])
  const path = join(dir, '公安局目录导入.xlsx')
  await book.xlsx.writeFile(path)
  return path
}

describe('catalog Excel import and export', () => {
  let server: ConsoleServer
  let browser: Browser
  let cataloger: ConsolePage
  let file = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    cataloger = await openConsole(browser, server.baseUrl)
    await login(cataloger.page, 'gaj_cataloger')
    const token = await server.tokenOf('gaj_cataloger')
    const { body: tree } = await server.api('GET', '/catalog/classes', { token })
    const own = tree.find((n: { code: string }) => n.code === '3').children[0].children.find((n: { name: string }) => n.name === '潍坊市公安局')
    file = await workbook(mkdtempSync(join(tmpdir(), 'govshare-import-')), own.code)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('an import with a bad row is refused as a whole, with a per-row error report', async () => {
    const { page } = cataloger
    await page.getByTestId('main-menu').getByText('目录编制').click()
    await page.getByTestId('open-import').click()
    await page.locator('.ant-modal input[type=file]').setInputFiles(file)
    // The import's own answer first (a slow machine may take a while to read the workbook), then its report.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/catalog/import') && r.request().method() === 'POST', { timeout: 60_000 }),
      page.getByTestId('import-run').click(),
    ])
    assert.ok(response.status() < 500, `import answered ${response.status()}: ${(await response.text()).slice(0, 300)}`)
    const report = page.getByTestId('import-report')
    await report.waitFor()
    assert.match(await report.innerText(), /未导入任何目录/)
    const rows = await page.getByTestId('import-errors').locator('.ant-table-row').allInnerTexts()
    assert.ok(
      rows.some((r) => /信息项[\s\S]*第 4 行[\s\S]*共享条件[\s\S]*须填写共享条件/.test(r)),
      `the bad item line is reported: ${rows.join(' | ')}`,
    )
    await assertChineseUi(page, 'import report')
    await screenshot(page, '13-catalog-import-errors', { fullPage: false })
    const { body } = await server.api('GET', '/catalog/resources?mine=true&q=%E5%AF%BC%E5%85%A5', { token: await server.tokenOf('gaj_cataloger') })
    assert.equal(body.total, 0, 'nothing was imported')
  })

  test('「只导入无误的目录」 loads the valid entries and lists the rejected one', async () => {
    const { page } = cataloger
    await setChecked(page, page.getByTestId('import-load-valid'), true)
    await page.getByTestId('import-run').click()
    await page.getByTestId('import-report').getByText('已导入 2 条目录（草稿）').waitFor()
    const rows = await page.getByTestId('import-errors').locator('.ant-table-row').allInnerTexts()
    assert.ok(rows.length >= 1 && rows.every((r) => /第 [34] 行/.test(r)), rows.join(' | '))
    await page.keyboard.press('Escape')
    const list = page.getByTestId('my-entries')
    await list.getByText(GOOD_A).waitFor()
    await list.getByText(GOOD_B).waitFor()
    assert.equal(await list.getByText(BAD).count(), 0)
    assert.deepEqual(cataloger.problems, [])
  })

  test('export downloads the department’s entries as an xlsx that names them', async () => {
    const { page } = cataloger
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /导出 Excel/ }).click()])
    assert.match(download.suggestedFilename(), /^政务信息资源目录_\d{8}-\d{4}\.xlsx$/)
    const path = await download.path()
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(path)
    const names = book.getWorksheet('信息资源')!.getColumn(2).values.map(String)
    assert.ok(names.includes(GOOD_A) && names.includes(GOOD_B), 'the imported drafts are in the export')
  })
})
