import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { axeViolations } from './support/axe.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

// A demo entry of 市民政局 waiting for review, with synthetic rows mounted (server/src/demo/catalog-departments.ts).
const PENDING = '医疗救助信息'
const ID_NUMBER = /\b\d{17}[\dX]\b/

/**
 * The authority's catalog pages (issues 16 and 17): the mounted sample beside a submission it reviews, and
 * the lead department of a class node, set and changed after a confirmation and shown by name.
 */
describe('the authority reviews with the mounted sample and keeps the class leads', () => {
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

  test("目录审核: the submitted version's mounted rows, masked for the reviewer, under a watermark", async () => {
    const { page } = authority
    await page.getByTestId('main-menu').getByText('目录审核').click()
    const row = page.getByTestId('review-queue').locator('.ant-table-row', { hasText: PENDING })
    await row.getByText(PENDING).click()
    const card = page.getByTestId('review-sample')
    const sample = card.getByTestId('sample-data')
    await sample.locator('.ant-table-row').first().waitFor()
    assert.ok((await sample.locator('.ant-table-row').count()) <= 5, 'at most five rows')
    await card.getByText(/不予共享的信息项不显示/).waitFor()
    // Personal items are masked; no identity number leaves the server in clear.
    assert.ok((await sample.getByText('已脱敏').count()) >= 2, 'the name and the identity number are masked')
    assert.doesNotMatch(await card.innerText(), ID_NUMBER)
    // The watermark names the viewer, the department and the time.
    const mark = await card.getByTestId('watermark').getAttribute('data-watermark')
    assert.match(mark ?? '', /潍坊市大数据局 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/)
    // The read is a data access: the audit log has it.
    const events = await server.api('GET', '/audit/events?action=gateway.review-sample.read', { token: await server.tokenOf('auditor') })
    assert.equal(events.status, 200, JSON.stringify(events.body))
    assert.ok(events.body.items.length >= 1)
    await assertChineseUi(page, 'review sample')
    assert.deepEqual(await axeViolations(page), [])
    await screenshot(page, '52-review-sample')
    assert.deepEqual(authority.problems, [])
  })

  test("分类牵头部门: set a node's lead, change it after a confirmation, and see the department by name", async () => {
    const { page } = authority
    // The menu entry is checked in roles.test.ts; open the page directly.
    await page.goto('/admin/class-leads')
    const row = page.getByTestId('class-leads-table').locator('tr[data-row-key="210"]')
    await row.getByText('未设置').waitFor()
    const token = await server.tokenOf('authority')
    const leadOf = async (code: string) => {
      const tree = (await server.api('GET', '/catalog/classes', { token })).body as { code: string; leadOrgId: string | null; children: unknown[] }[]
      const walk = (nodes: typeof tree): string | null | undefined => {
        for (const node of nodes) {
          if (node.code === code) return node.leadOrgId
          const found = walk(node.children as typeof tree)
          if (found !== undefined) return found
        }
        return undefined
      }
      return walk(tree)
    }
    const orgs = (await server.api('GET', '/orgs?pageSize=200', { token })).body.items as { id: string; name: string }[]
    const orgId = (name: string) => orgs.find((o) => o.name === name)?.id

    const pick = async (name: string) => {
      await row.getByRole('button', { name: '设置牵头部门：社区治理' }).click()
      const modal = page.locator('.ant-modal:visible', { hasText: '设置「社区治理」的牵头部门' })
      await modal.locator('.ant-select').click()
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${name}"]`).click()
      await modal.getByRole('button', { name: '保 存' }).click()
      return page.locator('.ant-modal-confirm:visible')
    }

    // Set: the confirmation says what will happen; cancelling changes nothing.
    let confirm = await pick('潍坊市公安局')
    await confirm.getByText('「社区治理」的牵头部门将改为 潍坊市公安局').waitFor()
    await confirm.getByRole('button', { name: '取 消' }).click()
    assert.equal(await leadOf('210'), null, 'nothing changes before the confirmation')
    await page.locator('.ant-modal:visible', { hasText: '设置「社区治理」的牵头部门' }).getByRole('button', { name: '取 消' }).click()
    confirm = await pick('潍坊市公安局')
    await confirm.getByRole('button', { name: '确 定' }).click()
    await row.getByText('潍坊市公安局').waitFor()
    assert.equal(await leadOf('210'), orgId('潍坊市公安局'))

    // Change: the confirmation names the department before and after.
    confirm = await pick('潍坊市民政局')
    await confirm.getByText('「社区治理」的牵头部门将由 潍坊市公安局 改为 潍坊市民政局').waitFor()
    await screenshot(page, '53-class-lead-change', { fullPage: false })
    await confirm.getByRole('button', { name: '确 定' }).click()
    await row.getByText('潍坊市民政局').waitFor()
    assert.equal(await leadOf('210'), orgId('潍坊市民政局'))
    assert.doesNotMatch(await row.innerText(), /[0-9a-f]{8}-/, 'the lead is shown by name, never by id')
    const events = await server.api('GET', '/audit/events?action=catalog.class.update', { token: await server.tokenOf('auditor') })
    assert.equal(events.status, 200, JSON.stringify(events.body))
    assert.ok(events.body.items.length >= 2, 'both changes are in the audit log')
    await settled(page)
    await assertChineseUi(page, 'class leads')
    assert.deepEqual(await axeViolations(page), [])
    await screenshot(page, '54-class-leads')
    assert.deepEqual(authority.problems, [])
  })
})
