import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/** 考核评估 on the Weifang demo's year of activity: ranking, radar, drill-down, notices, the notification centre. */
describe('考核评估 and 站内消息', () => {
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

  test('the authority sees the city departments ranked with charts, and drills a figure down to its records', async () => {
    const { page } = authority
    await page.getByTestId('main-menu').getByText('考核评估').click()
    const table = page.getByTestId('ranking-table')
    await table.locator('.ant-table-row').first().waitFor()
    await page.getByTestId('ranking-chart').locator('canvas').waitFor()
    await settled(page)
    await assertChineseUi(page, 'evaluation')
    // The latest run (2026年度) is shown; the first row is ranked first.
    assert.match(await page.getByTestId('run-select').innerText(), /2026年度/)
    assert.equal((await table.locator('.ant-table-row').first().locator('td').first().innerText()).trim(), '1')
    await screenshot(page, '50-evaluation-ranking')

    await table.locator('.ant-table-row').first().getByRole('button', { name: '查看明细' }).click()
    const drawer = page.locator('.ant-drawer-content')
    await drawer.getByTestId('radar-chart').locator('canvas').waitFor()
    await drawer.getByTestId('indicator-table').locator('.ant-table-row').first().waitFor()
    assert.equal(await drawer.getByTestId('indicator-table').locator('.ant-table-row').count(), 12)
    await screenshot(page, '51-evaluation-department', { fullPage: false })
    await drawer.getByRole('button', { name: '申请按时答复率明细' }).click()
    const modal = page.locator('.ant-modal:visible')
    await modal.getByTestId('evidence-table').waitFor()
    await settled(page)
    const rows = await modal.locator('.ant-table-row').count()
    const label = await modal.locator('p').first().innerText()
    const denominator = Number(/\/ (\d+)/.exec(label)![1])
    assert.equal(rows, Math.min(10, denominator), 'one record per counted request')
    if (denominator > 0) assert.match(await modal.locator('.ant-table-row').first().innerText(), /SQ\d{8}/)
    await screenshot(page, '52-evaluation-evidence', { fullPage: false })
    await modal.locator('.ant-modal-close').click()
    await page.locator('.ant-drawer-close').click()
  })

  test('trends across runs and the rectification notices', async () => {
    const { page } = authority
    await page.getByRole('tab', { name: '趋势' }).click()
    await page.getByTestId('trend-chart').locator('canvas').waitFor()
    await screenshot(page, '53-evaluation-trends', { fullPage: false })
    // The third quarter's notices are on that run.
    await page.getByTestId('run-select').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '2026年第三季度' }).click()
    await page.getByRole('tab', { name: '整改通知' }).click()
    const notices = page.getByTestId('notices-table')
    await notices.locator('.ant-table-row').first().waitFor()
    await settled(page)
    assert.ok((await notices.innerText()).includes('已反馈'))
    await screenshot(page, '54-evaluation-notices')
  })

  test('a department administrator sees only its own scores, answers a notice, and the header counts unread messages', async () => {
    const dept = await openConsole(browser, server.baseUrl)
    try {
      const { page } = dept
      // A department with an unanswered third-quarter notice.
      const token = await server.tokenOf('authority')
      const runs = (await server.api('GET', '/evaluation/runs', { token })).body.items
      const q3 = runs.find((r: { label: string }) => r.label === '2026年第三季度')
      const open = (await server.api('GET', `/notices?runId=${q3.id}&status=issued&pageSize=200`, { token })).body.items
      const org = (await server.api('GET', '/orgs?pageSize=200', { token: await server.tokenOf('admin') })).body.items.find(
        (o: { id: string }) => open.some((n: { orgId: string }) => n.orgId === o.id) && (o as { regionCode?: string }).regionCode === '370700',
      )
      assert.ok(org, 'a city department with an open notice')
      const users = (await server.api('GET', `/users?orgId=${org.id}&pageSize=50`, { token: await server.tokenOf('admin') })).body.items
      const admin = users.find((u: { roles: string[] }) => u.roles.includes('DEPT_ADMIN'))
      await login(page, admin.username)
      const bell = page.getByTestId('notification-bell')
      await bell.waitFor()
      assert.match((await bell.getAttribute('aria-label'))!, /[1-9]\d* 条未读/)

      await page.getByTestId('main-menu').getByText('考核评估').click()
      const table = page.getByTestId('ranking-table')
      await table.locator('.ant-table-row').first().waitFor()
      assert.equal(await table.locator('.ant-table-row').count(), 1)
      assert.ok((await table.innerText()).includes(org.name))

      await page.getByTestId('run-select').click()
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '2026年第三季度' }).click()
      await page.getByRole('tab', { name: '整改通知' }).click()
      const notices = page.getByTestId('notices-table')
      await notices.getByRole('button', { name: '反馈整改' }).first().click()
      const modal = page.locator('.ant-modal:visible')
      await modal.getByLabel('整改措施').fill('已指定专人每日检查数据更新，逾期申请当日督办')
      await modal.locator('.ant-btn-primary').click()
      await page.getByText('已反馈整改措施').waitFor()

      await bell.click()
      await page.getByTestId('notifications-table').locator('.ant-table-row').first().waitFor()
      await settled(page)
      await assertChineseUi(page, 'notifications')
      await screenshot(page, '55-notifications')
      const before = Number(/(\d+) 条未读/.exec((await bell.getAttribute('aria-label'))!)![1])
      await page.getByTestId('mark-all-read').click()
      await page.waitForFunction(() => /\b0 条未读/.test(document.querySelector('[data-testid=notification-bell]')?.getAttribute('aria-label') ?? ''))
      assert.ok(before > 0)
    } finally {
      await dept.context.close()
    }
  })
})
