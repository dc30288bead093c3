import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/** Changes that replace or grant ask first and say what they change (issue 17, "Safe changes"). */
describe('safe changes: confirmation, reasons and previews before anything is replaced', () => {
  let server: ConsoleServer
  let browser: Browser
  let admin: ConsolePage

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    admin = await openConsole(browser, server.baseUrl)
    await login(admin.page, 'admin')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('参数设置: a city-wide parameter changes only after confirmation with a reason, which the audit log keeps', async () => {
    const { page } = admin
    await page.getByTestId('main-menu').getByText('参数设置').click()
    const card = page.locator('[data-parameter="sharing.providerReplyWorkdays"]')
    await card.getByText('10 个工作日（默认）').waitFor()
    await card.locator('.ant-select').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '15 个工作日' }).click()
    const modal = page.locator('.ant-modal:visible')
    await modal.getByText('由 10 个工作日 改为 15 个工作日').waitFor()
    // Nothing is saved before the confirmation.
    const token = await server.tokenOf('admin')
    const value = async () => (await server.api('GET', '/parameters', { token })).body.items.find((p: { key: string }) => p.key === 'sharing.providerReplyWorkdays').value
    assert.equal(await value(), 10)
    await modal.getByTestId('parameter-reason').fill('工作需要')
    await modal.getByTestId('parameter-confirm').click()
    await modal.getByRole('alert').getByText(/套话/).waitFor()
    assert.equal(await value(), 10)
    await modal.getByTestId('parameter-reason').fill('依据市政府办公室〔2026〕12号文件，答复时限延长为 15 个工作日')
    await screenshot(page, '43-admin-parameters', { fullPage: false })
    await modal.getByTestId('parameter-confirm').click()
    await card.getByText('已改动（默认 10）').waitFor()
    assert.equal(await value(), 15)
    const events = await server.api('GET', '/audit/events?action=parameter.update', { token: await server.tokenOf('auditor') })
    assert.equal(events.status, 200, JSON.stringify(events.body))
    assert.equal(events.body.items[0].detail.reason, '依据市政府办公室〔2026〕12号文件，答复时限延长为 15 个工作日')
    await settled(page)
    await assertChineseUi(page, 'parameters')
    // Cancelling the dialog changes nothing.
    await card.locator('.ant-select').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '10 个工作日（默认）' }).click()
    await page.locator('.ant-modal:visible').getByRole('button', { name: '取 消' }).click()
    assert.equal(await value(), 15)
    await card.getByText('已改动（默认 10）').waitFor()
    assert.deepEqual(admin.problems, [])
  })
})
