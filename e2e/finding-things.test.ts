import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
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
    assert.ok(names.some((n) => n.includes('医保')), names.join('，'))
    const marks = await results.locator('mark.search-hit').allInnerTexts()
    assert.ok(marks.includes('医保') && marks.includes('医疗保险'), `highlighted: ${marks.join('，')}`)
    assert.match(await page.getByTestId('search-synonyms-used').innerText(), /医疗保险/)
    await assertChineseUi(page, 'search with synonyms')
    await screenshot(page, '45-catalog-search-synonyms')
    for (const [q, full] of [['低保', '最低生活保障'], ['公积金', '住房公积金']]) {
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
})
