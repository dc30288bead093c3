import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { withUsccCheck } from '../common/uscc.ts'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, setChecked, settled } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const fieldError = (page: Page, inputId: string) => page.locator('.ant-form-item', { has: page.locator(`#${inputId}`) }).locator('.ant-form-item-explain-error')

describe('系统管理, 审计 and 统计 pages', () => {
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

  test('三员: SYS_ADMIN opens an account (no roles), SEC_ADMIN assigns its role; the password policy is shown at the field', async () => {
    const { page } = admin
    // 系统管理 opens expanded: its items are one click away.
    await page.getByTestId('main-menu').getByText('用户与角色').click()
    const table = page.getByTestId('users-table')
    await table.locator('.ant-table-row').first().waitFor()
    await settled(page)
    await assertChineseUi(page, 'users')
    await screenshot(page, '14-admin-users')

    await page.getByTestId('new-user').click()
    const modal = page.locator('.ant-modal:visible')
    // The system administrator hands out no roles: the form has no role field.
    assert.equal(await modal.getByLabel('编目员').count(), 0)
    await modal.locator('#username').fill('gaj_cataloger2')
    await modal.locator('#name').fill('赵立新')
    await modal.locator('.ant-select', { has: page.locator('#orgId') }).click()
    await page.keyboard.type('公安')
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="潍坊市公安局"]').click()
    await modal.locator('#password').fill('password')
    await modal.locator('.ant-btn-primary').click()
    await fieldError(page, 'password').waitFor()
    assert.match(await fieldError(page, 'password').innerText(), /[\u4e00-\u9fff]/)
    await modal.locator('#password').fill('Weifang#2026')
    await modal.locator('.ant-btn-primary').click()
    await modal.waitFor({ state: 'hidden' })
    await page.getByText('账号已开设，请安全管理员分配角色').waitFor()

    const sec = await openConsole(browser, server.baseUrl)
    try {
      await login(sec.page, 'secadmin')
      await sec.page.goto('/admin/users')
      await sec.page.locator('.ant-input-search input').fill('gaj_cataloger2')
      await sec.page.locator('.ant-input-search input').press('Enter')
      const row = sec.page.getByTestId('users-table').locator('.ant-table-row', { hasText: 'gaj_cataloger2' })
      await row.getByText('分配角色').click()
      const roles = sec.page.locator('.ant-modal:visible')
      await setChecked(sec.page, roles.getByLabel('编目员'), true)
      await roles.locator('.ant-btn-primary').click()
      await roles.waitFor({ state: 'hidden' })
      await row.getByText('编目员').waitFor()
      assert.deepEqual(sec.problems, [])
    } finally {
      await sec.context.close()
    }
  })

  test('a wrong 统一社会信用代码 is explained at the code field; the corrected one is accepted', async () => {
    const { page } = admin
    await page.getByTestId('main-menu').getByText('单位管理').click()
    await page.getByTestId('orgs-table').locator('.ant-table-row').first().waitFor()
    await page.getByTestId('new-org').click()
    const modal = page.locator('.ant-modal:visible')
    const good = withUsccCheck('11370700MB2839281')
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    await modal.locator('#name').fill('潍坊市水利局')
    await modal.locator('#shortName').fill('市水利局')
    await modal.locator('#code').fill(wrongCheck)
    await modal.locator('.ant-btn-primary').click()
    await fieldError(page, 'code').waitFor()
    assert.match(await fieldError(page, 'code').innerText(), /校验位错误（按前 17 位计算应为 .）/)
    await assertChineseUi(page, 'org form')
    await screenshot(page, '15-admin-orgs-uscc-error', { fullPage: false })
    await modal.locator('#code').fill(good)
    await modal.locator('.ant-btn-primary').click()
    await modal.waitFor({ state: 'hidden' })
    await page.locator('.ant-input-search input').fill('水利')
    await page.locator('.ant-input-search input').press('Enter')
    await page.getByTestId('orgs-table').locator('.ant-table-row', { hasText: good }).waitFor()
  })

  test('the working-day calendar shows the year and lets SYS_ADMIN set a day', async () => {
    const { page } = admin
    await page.goto('/admin/calendar?year=2026')
    await page.getByTestId('calendar-grid').waitFor()
    await page.getByText('春节：2月15日—2月23日').waitFor()
    assert.match((await page.locator('[data-date="2026-02-14"]').getAttribute('class')) ?? '', /makeup/, '2-14 is a make-up working day')
    await assertChineseUi(page, 'calendar')
    await screenshot(page, '16-admin-calendar')

    await page.getByRole('button', { name: '下一年' }).click()
    await page.getByTestId('calendar-year').getByText('2027 年').waitFor()
    await page.getByText('2027 年的节假日与调休安排尚未录入').waitFor()
    await page.locator('[data-date="2027-01-01"]').click()
    const modal = page.locator('.ant-modal:visible')
    await setChecked(page, modal.getByLabel('休息日'), true)
    await modal.locator('#note').fill('元旦')
    await modal.locator('.ant-btn-primary').click()
    await page.getByText('元旦：1月1日').waitFor()
    assert.match((await page.locator('[data-date="2027-01-01"]').getAttribute('class')) ?? '', /holiday/)
    assert.deepEqual(admin.problems, [])
  })

  test('the auditor searches the audit trail and verifies the hash chain', async () => {
    const { page, context, problems } = await openConsole(browser, server.baseUrl)
    await login(page, 'auditor')
    await page.getByTestId('main-menu').getByText('审计').click()
    const events = page.getByTestId('audit-events')
    await events.locator('.ant-table-row').first().waitFor()
    await page.getByTestId('verify-chain').click()
    await page.getByTestId('chain-ok').waitFor()
    assert.match(await page.getByTestId('chain-ok').innerText(), /哈希链完整：共 \d+ 条记录/)
    // The org created above is in the trail, with its Chinese action name.
    await page.locator('.ant-select', { has: page.locator('#objectType') }).click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="单位"]').click()
    await page.getByRole('button', { name: /^查\s*询$/ }).click()
    await events.locator('.ant-table-row', { hasText: '新增单位' }).first().waitFor()
    // The auditor exports what the filter shows (the export is itself an audited event).
    await page.getByRole('button', { name: /导出当前查询结果/ }).hover()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Excel（.xlsx，最多 100 万行）').click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    await page.getByRole('button', { name: /重\s*置/ }).click()
    await settled(page)
    await assertChineseUi(page, 'audit')
    await screenshot(page, '17-audit')
    assert.deepEqual(problems, [])
    await context.close()
  })

  test('统计 draws catalog counts by class, department and share type from the search API', async () => {
    const { page, context, problems } = await openConsole(browser, server.baseUrl)
    await login(page, 'authority')
    await page.getByTestId('main-menu').getByText('统计').click()
    for (const chart of ['chart-class', 'chart-share-type', 'chart-department']) {
      await page.getByTestId(chart).locator('canvas').first().waitFor({ timeout: 60_000 })
    }
    const token = await server.tokenOf('authority')
    const { body } = await server.api('GET', '/catalog/resources?status=published&pageSize=1', { token })
    await page.locator('.ant-statistic', { hasText: '已发布目录' }).getByText(String(body.total)).waitFor()
    await assertChineseUi(page, 'stats')
    await screenshot(page, '18-stats')
    assert.deepEqual(problems, [])
    await context.close()
  })
})
