import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/**
 * 监督管理 in the console on the Weifang demo: the authority accepts an objection (the R-11 rule is on
 * the page), triages a demand to a provider behind a confirmation, and reads the 一数一源 registry and
 * its duplicate-collection worklist.
 */
describe('supervision pages', () => {
  let server: ConsoleServer
  let browser: Browser
  let authority: ConsolePage

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    authority = await openConsole(browser, server.baseUrl)
    await login(authority.page, 'authority')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('数据异议: the R-11 rule is shown and the authority accepts a raised objection after confirming', async () => {
    const { page, problems } = authority
    await page.goto('/objections')
    await page.getByTestId('r11-rule').waitFor()
    assert.match(await page.getByTestId('r11-rule').innerText(), /持有效证明材料的，窗口人员应当照常办理/)
    const list = page.getByTestId('objection-list')
    await list.getByText('待受理').first().waitFor()
    assert.ok((await list.getByText('有异议').count()) >= 1, 'the accepted objection of the demo flags its record')
    await list
      .getByRole('button', { name: /^受\s*理$/ })
      .first()
      .click()
    await page.getByRole('button', { name: '确认受理' }).click()
    await page.getByText('受理：已完成').waitFor()
    const token = await server.tokenOf('authority')
    const raised = await server.api('GET', '/objections?status=raised', { token })
    assert.equal(raised.body.total, 0, 'the demo’s one raised objection is now accepted')
    await assertChineseUi(page, 'objections')
    await screenshot(page, '60-objections')
    assert.deepEqual(problems, [])
  })

  test('供需对接: the authority assigns a demand to a provider; the lists show names, not ids', async () => {
    const { page, problems } = authority
    await page.goto('/demands')
    const list = page.getByTestId('demand-list')
    await list.getByText('灵活就业人员登记信息').waitFor()
    await list
      .getByRole('button', { name: /^分\s*办$/ })
      .first()
      .click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('combobox').nth(1).click()
    await page.getByTitle('潍坊市人力资源和社会保障局').or(page.getByTitle('潍坊市医疗保障局')).first().click()
    await dialog.getByRole('button', { name: '确认分办' }).click()
    await list.getByText('已指派，待提供部门响应').first().waitFor()
    await page.getByRole('tab', { name: '负面清单' }).click()
    await page.getByTestId('negative-list').waitFor()
    await page.getByRole('tab', { name: '责任清单' }).click()
    await list.getByText('不动产登记信息').waitFor()
    await assertChineseUi(page, 'demands')
    await screenshot(page, '61-demands')
    assert.deepEqual(problems, [])
  })

  test('一数一源: the registry names each element’s source; the worklist lists duplicate collections', async () => {
    const { page, problems } = authority
    await page.goto('/data-elements')
    const elements = page.getByTestId('element-list')
    await elements.getByText('公民身份号码').waitFor()
    assert.match(await elements.innerText(), /GB 11643-1999[\s\S]*潍坊市公安局/)
    await page.getByRole('tab', { name: '重复采集工作台' }).click()
    await page.getByTestId('element-cases').waitFor()
    await assertChineseUi(page, 'data elements')
    await screenshot(page, '62-data-elements')
    assert.deepEqual(problems, [])
  })
})
