import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/** Finding things (issue 17): abbreviations in catalog search, highlighted hits, filters and exports. */
describe('finding things: synonyms, highlights, call-log filters, exports', () => {
  let server: ConsoleServer
  let browser: Browser
  let requester: ConsolePage

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    requester = await openConsole(browser, server.baseUrl)
    await login(requester.page, 'rsj_user')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  const searchFor = async (page: ConsolePage['page'], q: string) => {
    await page.goto('/catalog')
    const box = page.getByTestId('catalog-search')
    await box.fill(q)
    await box.press('Enter')
    await settled(page)
  }

  test('资源目录: 社保 finds 社会保险 entries, the hits are highlighted and the synonyms named', async () => {
    const { page } = requester
    await searchFor(page, '医保')
    const results = page.getByTestId('catalog-results')
    await results.locator('.ant-table-row').first().waitFor()
    const names = await results.locator('.ant-table-row td:first-child a').allInnerTexts()
    // Every entry written with the full term is found by the abbreviation too.
    const token = await server.tokenOf('rsj_user')
    const full = await server.api('GET', `/catalog/resources?q=${encodeURIComponent('医疗保险')}`, { token })
    assert.ok(full.body.total > 0)
    for (const entry of full.body.items as { name: string }[]) assert.ok(names.includes(entry.name), `${entry.name} missing from ${names.join('，')}`)
    assert.ok(
      names.some((n) => n.includes('医保')),
      names.join('，'),
    )
    const marks = await results.locator('mark.search-hit').allInnerTexts()
    assert.ok(marks.includes('医保') && marks.includes('医疗保险'), `highlighted: ${marks.join('，')}`)
    assert.match(await page.getByTestId('search-synonyms-used').innerText(), /医疗保险/)
    await assertChineseUi(page, 'search with synonyms')
    await screenshot(page, '45-catalog-search-synonyms')
    for (const [q, full] of [
      ['低保', '最低生活保障'],
      ['公积金', '住房公积金'],
    ]) {
      await searchFor(page, q)
      await results.locator('mark.search-hit', { hasText: full }).first().waitFor()
    }
    assert.deepEqual(requester.problems, [])
  })

  test('资源目录: a refused one-character search clears the previous count and rows', async () => {
    const { page } = requester
    await searchFor(page, '户籍')
    const total = page.locator('.ant-pagination-total-text')
    assert.match(await total.innerText(), /共 \d+ 条/)
    await searchFor(page, '户')
    await page.getByText('太短').waitFor()
    assert.equal(await page.getByTestId('catalog-results').locator('.ant-table-row').count(), 0)
    assert.equal((await total.count()) === 0 ? '' : (await total.innerText()).trim(), '')
  })

  test('检索同义词: the authority adds an abbreviation and the next search uses it', async () => {
    const authority = await openConsole(browser, server.baseUrl)
    const { page } = authority
    await login(page, 'authority')
    await page.getByTestId('main-menu').getByText('检索同义词').click()
    const table = page.getByTestId('synonyms-table')
    await table.locator('.ant-table-row', { hasText: '社保' }).waitFor()
    await page.getByTestId('new-synonym').click()
    const modal = page.locator('.ant-modal:visible')
    await modal.getByTestId('synonym-save').click()
    await modal.getByText('简称不能为空').waitFor()
    await modal.getByTestId('synonym-term').fill('婚登')
    const expansions = modal.getByTestId('synonym-expansions').locator('input')
    await expansions.fill('婚姻登记')
    await expansions.press('Enter')
    await modal.getByTestId('synonym-save').click()
    await table.locator('.ant-table-row', { hasText: '婚登' }).getByText('婚姻登记').waitFor()
    await assertChineseUi(page, 'synonyms')
    await screenshot(page, '46-search-synonyms')
    await searchFor(requester.page, '婚登')
    await requester.page.getByTestId('catalog-results').locator('mark.search-hit', { hasText: '婚姻登记' }).first().waitFor()
    assert.deepEqual(authority.problems, [])
    await authority.context.close()
  })

  /** Downloads what `button` exports and returns the first sheet's rows as text. */
  async function exported(page: Page, button: string) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()])
    assert.match(download.suggestedFilename(), /台账-\d{14}\.xlsx$/)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile((await download.path())!)
    const rows: string[][] = []
    workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))))
    return rows
  }

  test('调用记录: 应用 column, app, resource and date filters, and the 调用台账 export (audited)', async () => {
    const user = await openConsole(browser, server.baseUrl)
    const { page } = user
    await login(page, 'mzj_user')
    await page.getByTestId('main-menu').getByText('调用记录').click()
    const list = page.getByTestId('call-list')
    await list.locator('.ant-table-row').first().waitFor()
    const headers = await list.locator('thead th').allInnerTexts()
    assert.ok(headers.includes('应用'), headers.join('，'))
    const appColumn = headers.indexOf('应用')
    const appNames = await list.locator(`.ant-table-row td:nth-child(${appColumn + 1})`).allInnerTexts()
    assert.ok(
      appNames.every((n) => n && n !== '—'),
      appNames.join('，'),
    )
    const rowsBefore = await list.locator('.ant-table-row').count()
    // App filter: only that app's calls.
    await page.getByTestId('calls-app').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click()
    await settled(page)
    const filteredApps = await list.locator(`.ant-table-row td:nth-child(${appColumn + 1})`).allInnerTexts()
    assert.equal(new Set(filteredApps).size, 1)
    // Resource filter, found by typing part of its name.
    const resourceColumn = headers.indexOf('资源')
    const resourceName = (
      await list
        .locator(`.ant-table-row td:nth-child(${resourceColumn + 1})`)
        .first()
        .innerText()
    ).trim()
    await page.getByTestId('calls-resource').locator('input').fill(resourceName.slice(0, 4))
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: resourceName }).first().click()
    await settled(page)
    const resources = await list.locator(`.ant-table-row td:nth-child(${resourceColumn + 1})`).allInnerTexts()
    assert.ok(resources.length > 0 && resources.every((r) => r.trim() === resourceName), resources.join('，'))
    await assertChineseUi(page, 'calls with filters')
    await screenshot(page, '29-gateway-calls')
    const ledger = await exported(page, 'export-calls')
    assert.ok(ledger[0].includes('调用应用') && ledger[0].includes('资源名称'), ledger[0].join('，'))
    assert.equal(ledger.length - 1, resources.length, 'the export follows the filters')
    assert.ok(ledger.slice(1).every((row) => row[ledger[0].indexOf('资源名称')] === resourceName))
    // Dates before the demo's calls: nothing.
    const range = page.locator('.ant-picker-range').locator('input')
    await range.first().click()
    await range.first().fill('2020-01-01')
    await range.first().press('Enter')
    await range.nth(1).fill('2020-01-31')
    await range.nth(1).press('Enter')
    await settled(page)
    await page.getByText('没有调用记录').waitFor()
    assert.ok(rowsBefore > 0)
    const audit = await server.api('GET', '/audit/events?action=gateway.call.export', { token: await server.tokenOf('auditor') })
    assert.equal(audit.body.total, 1)
    assert.deepEqual(user.problems, [])
    await user.context.close()
  })

  test('我的申请 and 数据授权 export their 台账 with names', async () => {
    const { page } = requester
    await page.goto('/share-requests')
    await page.getByTestId('request-list').locator('.ant-table-row').first().waitFor()
    const requests = await exported(page, 'export-requests')
    assert.ok(requests[0].includes('申请编号') && requests[0].includes('资源名称') && requests[0].includes('状态'))
    assert.ok(requests.length > 1)
    assert.ok(requests.slice(1).every((row) => row[requests[0].indexOf('申请单位')] === '潍坊市人力资源和社会保障局'))
    await page.getByTestId('main-menu').getByText('数据授权').click()
    await page.getByTestId('grant-list').locator('.ant-table-row').first().waitFor()
    const grants = await exported(page, 'export-grants')
    assert.ok(grants[0].includes('授权信息项') && grants[0].includes('有效期至'))
    assert.ok(grants.slice(1).every((row) => row[grants[0].indexOf('使用单位')] === '潍坊市人力资源和社会保障局'))
    const audit = await server.api('GET', '/audit/events?actionPrefix=sharing.', { token: await server.tokenOf('auditor') })
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action)
    assert.ok(actions.includes('sharing.request.export') && actions.includes('sharing.grant.export'), actions.join(','))
    assert.deepEqual(requester.problems, [])
  })

  test('资源挂接 shows the mount state of each entry: kind, rows and data time, or 未挂接', async () => {
    const cataloger = await openConsole(browser, server.baseUrl)
    const { page } = cataloger
    await login(page, 'gaj_cataloger')
    await page.getByTestId('main-menu').getByText('资源挂接').click()
    const table = page.getByTestId('mount-entries')
    await table.getByTestId('mount-status').first().waitFor()
    const states = await table.getByTestId('mount-status').allInnerTexts()
    assert.ok(
      states.some((s) => /库表·已挂接\s*[\d,]+ 行/.test(s)),
      states.join(' | '),
    )
    // What the server says about one entry is what the row shows.
    const token = await server.tokenOf('gaj_cataloger')
    const mine = await server.api('GET', '/catalog/resources?mine=true&pageSize=20', { token })
    const first = mine.body.items[0]
    const mounts = await server.api('GET', `/catalog/resources/${first.id}/mounts`, { token })
    const row = table.locator('.ant-table-row', { hasText: first.name }).first()
    const text = await row.innerText()
    if (mounts.body.items.length === 0) assert.match(text, /未挂接/)
    for (const m of mounts.body.items as { kind: string; live: boolean; rowCount: number }[]) {
      if (m.kind === 'table' && m.live) assert.match(text, new RegExp(`库表·已挂接\\s*${m.rowCount.toLocaleString('zh-CN')} 行`))
    }
    await assertChineseUi(page, 'mounts')
    await screenshot(page, '47-mounts-status')
    assert.deepEqual(cataloger.problems, [])
    await cataloger.context.close()
  })
})
