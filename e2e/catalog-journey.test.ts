import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { axeViolations } from './support/axe.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const ENTRY = '网约房旅客住宿登记信息'
const TERM = '网约'

/** Picks an option in the antd Select whose input has this id. */
async function choose(page: Page, inputId: string, option: string) {
  await page.locator('.ant-select', { has: page.locator(`#${inputId}`) }).click()
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).click()
}

/** The validation message shown under the form field whose input has this id. */
const fieldError = (page: Page, inputId: string) => page.locator('.ant-form-item', { has: page.locator(`#${inputId}`) }).locator('.ant-form-item-explain-error')

/**
 * The catalog journey across departments: the 公安局 cataloger compiles an entry (the API's
 * problems land on the right fields first), submits it; the authority reviews and publishes it;
 * the cataloger revises it and the authority reviews the diff; a 民政局 requester finds it with a
 * two-character term and opens it.
 */
describe('catalog journey: compile → review → revise → diff → find', () => {
  let server: ConsoleServer
  let browser: Browser
  let cataloger: ConsolePage
  let authority: ConsolePage
  let requester: ConsolePage
  let entryId = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    cataloger = await openConsole(browser, server.baseUrl)
    authority = await openConsole(browser, server.baseUrl)
    requester = await openConsole(browser, server.baseUrl)
    await login(cataloger.page, 'gaj_cataloger')
    await login(authority.page, 'authority')
    await login(requester.page, 'mzj_user')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the cataloger compiles an entry: API problems appear at the fields they name', async () => {
    const { page } = cataloger
    await page.getByTestId('main-menu').getByText('目录编制').click()
    await page.getByTestId('my-entries').waitFor()
    await page.getByTestId('new-entry').click()
    await page.waitForURL('**/catalog-edit/new')
    await settled(page)
    // The department's own 目 is preselected from the class tree.
    await page
      .locator('.ant-select', { has: page.locator('#classCode') })
      .filter({ hasText: '潍坊市公安局' })
      .waitFor()

    await page.locator('#name').fill(ENTRY)
    await page.locator('#abstract').fill('辖区网约房经营者登记的旅客入住信息，包括旅客姓名、身份证号和入住房源。')
    await page.locator('#items_0_name').fill('旅客姓名')
    await page.locator('#items_0_nameEn').fill('guest_name')
    await page.locator('#items_0_length').fill('50')
    await page.getByTestId('add-item').click()
    await page.locator('#items_1_name').fill('旅客身份证号')
    await page.locator('#items_1_nameEn').fill('guest_id_no')
    await page.locator('#items_1_length').fill('18')
    await choose(page, 'items_1_shareType', '有条件共享')
    await assert.doesNotReject(page.getByTestId('derived-share-type').getByText('有条件共享').waitFor())

    // 尚缺 lists, before any round trip, what submission still needs, in the form's own labels.
    const missingList = page.getByTestId('missing-list')
    await missingList.getByText('第 2 个信息项的共享条件').waitFor()
    assert.deepEqual(
      (await missingList.locator('li').allInnerTexts()).map((t) => t.trim()),
      ['共享条件', '共享依据（法律法规、政策）', '第 2 个信息项的共享条件', '须先挂接数据（保存草稿后到资源挂接页挂接）'],
    )
    assert.match(await page.getByTestId('missing-count').innerText(), /尚缺 4 项/)

    // 提交 is checked in the form: nothing is sent, and each field says what it needs in words.
    let posted = 0
    page.on('request', (request) => {
      if (request.method() !== 'GET' && request.url().includes('/api/v1/catalog/resources')) posted++
    })
    await page.getByTestId('save-submit').click()
    await fieldError(page, 'items_1_shareCondition').waitFor()
    // The rule's own message, not a generic "共享条件不能为空".
    assert.equal(await fieldError(page, 'items_1_shareCondition').innerText(), '有条件共享的信息项须填写共享条件')
    assert.match(await fieldError(page, 'shareCondition').innerText(), /有条件共享的资源须填写共享条件/)
    assert.match(await fieldError(page, 'shareBasis').innerText(), /依据/)
    assert.equal(await fieldError(page, 'items_0_shareCondition').count(), 0, 'the unconditional item has no error')
    assert.match(await page.getByTestId('form-error-summary').innerText(), /提交审核前尚缺：共享条件、共享依据（法律法规、政策）、第 2 个信息项的共享条件/)
    assert.equal(posted, 0, 'nothing is sent while required parts are missing')
    assert.match(page.url(), /\/catalog-edit\/new$/, 'nothing was created')
    await assertChineseUi(page, 'entry form with errors')
    // The pointer off the button it pressed (a hovered button is lighter than at rest).
    await page.mouse.move(0, 0)
    assert.deepEqual(await axeViolations(page), [])
    await screenshot(page, '08-catalog-edit-error')

    // 保存草稿 keeps the incomplete entry; the list still says what is missing.
    await page.getByTestId('save-draft').click()
    await page.waitForURL(/\/catalog-edit\/[0-9a-f-]{36}$/)
    entryId = page.url().split('/').pop()!
    await page.getByText('草稿已保存').waitFor()
    await missingList.getByRole('link', { name: '到资源挂接页挂接数据' }).waitFor()
    assert.equal(await missingList.locator('li').count(), 4)
    const token = await server.tokenOf('gaj_cataloger')
    assert.equal((await server.api('GET', `/catalog/resources/${entryId}`, { token })).body.status, 'draft')
    await screenshot(page, '51-catalog-edit-missing')

    await page.locator('#items_1_shareCondition').fill('仅向承担治安管理、案件侦办职责的部门提供')
    await page.locator('#shareCondition').fill('用于治安管理、流动人口服务管理，使用部门须说明具体事项')
    await page.locator('#shareBasis').fill('《旅馆业治安管理办法》第六条；《山东省流动人口服务管理条例》')
    assert.deepEqual(
      (await missingList.locator('li').allInnerTexts()).map((t) => t.trim()),
      ['须先挂接数据：到资源挂接页挂接数据'],
    )
    // Saved; submitting needs data mounted first (SPEC §5.4 rule 6), said at 共享方式类型.
    await page.getByTestId('save-submit').click()
    // A checkbox group has no input id: find its form item by the label.
    const shareModesError = page.locator('.ant-form-item', { has: page.locator('label', { hasText: '共享方式类型' }) }).locator('.ant-form-item-explain-error')
    await shareModesError.waitFor()
    assert.match(await shareModesError.innerText(), /须先挂接数据/)
    assert.match(await page.getByTestId('form-error-summary').innerText(), /草稿已保存；提交审核前尚缺：须先挂接数据/)
    const saved = await server.api('GET', `/catalog/resources/${entryId}`, { token })
    assert.equal(saved.body.status, 'draft')
    assert.equal(saved.body.shareBasis, '《旅馆业治安管理办法》第六条；《山东省流动人口服务管理条例》')

    // Register the upstream API on the 资源挂接 page (its URL check lands at the field), then submit again.
    await page.goto(`/mounts/${entryId}`)
    await page.getByRole('tab', { name: '接口' }).click()
    await page.locator('#upstreamUrl').fill('ftp://10.37.1.20/wyf')
    await page.getByTestId('add-param').click()
    await page.locator('#params_0_name').fill('guest_id_no')
    await page.getByTestId('api-save').click()
    await fieldError(page, 'upstreamUrl').waitFor()
    assert.match(await fieldError(page, 'upstreamUrl').innerText(), /http:\/\/ 或 https:\/\//)
    await page.locator('#upstreamUrl').fill('http://10.37.1.20:8080/wyf/guests')
    await page.getByTestId('api-save').click()
    await page.getByTestId('mount-summary').getByText('http://10.37.1.20:8080/wyf/guests').waitFor()
    await page.goto(`/catalog-edit/${entryId}`)
    await settled(page)

    await page.getByTestId('missing-list').getByText('必填内容已齐全').waitFor()
    await page.getByTestId('save-submit').click()
    await page.waitForURL(`**/catalog/${entryId}`)
    await page.getByText('待审核').first().waitFor()
    assert.deepEqual(cataloger.problems, [])
  })

  test('the authority finds it in 目录审核 and publishes the first version', async () => {
    const { page } = authority
    await page.getByTestId('main-menu').getByText('目录审核').click()
    const row = page.getByTestId('review-queue').locator('.ant-table-row', { hasText: ENTRY })
    await row.waitFor()
    assert.match(await row.innerText(), /新编目录/)
    assert.match(await row.innerText(), /剩余 \d+ 个工作日|今日到期/)
    await row.getByText(ENTRY).click()
    await page.getByTestId('diff-summary').getByText('首次提交的目录').waitFor()
    // Only an upstream API is mounted: the review page says there are no table rows to show.
    await page.getByTestId('review-sample').getByText('该目录尚未挂接库表数据，暂无样例').waitFor()
    await page.getByTestId('approve').click()
    await page.waitForURL('**/catalog-review')
    const token = await server.tokenOf('authority')
    const { body } = await server.api('GET', `/catalog/resources/${entryId}`, { token })
    assert.equal(body.status, 'published')
    assert.match(body.code, /^3\d{5}\/\d{4}$/)
  })

  test('the cataloger revises the published entry and submits version 2', async () => {
    const { page } = cataloger
    await page.goto(`/catalog-edit/${entryId}`)
    await settled(page)
    await page.locator('#abstract').fill('辖区网约房经营者登记的旅客入住信息，包括旅客姓名、身份证号、入住时间和入住房源，每日更新。')
    await page.getByTestId('add-item').click()
    await page.locator('#items_2_name').fill('入住时间')
    await page.locator('#items_2_nameEn').fill('check_in_at')
    await choose(page, 'items_2_dataType', 'T 日期时间型')
    await page.getByTestId('save-submit').click()
    await page.waitForURL(`**/catalog/${entryId}`)
    await page.getByText('待审核').first().waitFor()
    assert.deepEqual(cataloger.problems, [])
  })

  test('the authority sees the diff between the published and the pending version, then approves', async () => {
    const { page } = authority
    await page.goto('/catalog-review')
    await page.getByTestId('review-queue').locator('.ant-table-row', { hasText: ENTRY }).getByText(ENTRY).click()
    const summary = page.getByTestId('diff-summary')
    await summary.getByText('第 2 版（待审核）对比第 1 版（已发布）').waitFor()
    const changedRows = page.getByTestId('diff-fields').locator('tr.diff-changed')
    assert.deepEqual(
      (await changedRows.locator('td:first-child').allInnerTexts()).map((t) => t.trim()),
      ['资源摘要'],
    )
    const added = page.getByTestId('diff-items').locator('tr.diff-added')
    assert.equal(await added.count(), 1)
    assert.match(await added.innerText(), /入住时间/)
    await assertChineseUi(page, 'review diff')
    await screenshot(page, '09-catalog-review-diff')
    await page.getByTestId('review-comment').fill('新增入住时间信息项，同意发布。')
    await page.getByTestId('approve').click()
    await page.waitForURL('**/catalog-review')
    assert.deepEqual(authority.problems, [])
  })

  test('a requester of another department finds it with a two-character term and opens it', async () => {
    const { page } = requester
    await page.getByTestId('main-menu').getByText('资源目录').click()
    await page.getByTestId('class-tree').waitFor()
    const search = page.getByTestId('catalog-search')
    await search.fill('网')
    await search.press('Enter')
    await page.getByText('太短').waitFor()

    await search.fill(TERM)
    await search.press('Enter')
    const row = page.getByTestId('catalog-results').locator('.ant-table-row', { hasText: ENTRY })
    await row.waitFor()
    assert.match(await row.innerText(), /潍坊市公安局/)
    assert.match(await row.innerText(), /有条件共享/)
    await assertChineseUi(page, 'catalog search')
    await screenshot(page, '10-catalog-search')

    await row.getByText(ENTRY).click()
    await page.waitForURL(`**/catalog/${entryId}`)
    await page.getByTestId('resource-facts').waitFor()
    const facts = await page.getByTestId('resource-facts').innerText()
    assert.match(facts, /潍坊市公安局/)
    assert.match(facts, /每日/)
    assert.doesNotMatch(await page.locator('.page-extra').innerText(), /编辑|提交审核|审核|下架/, 'no actions for another department')
    await screenshot(page, '11-catalog-detail')

    await page.getByRole('tab', { name: /信息项/ }).click()
    const items = page.getByTestId('items-table')
    await items.locator('.ant-table-row').nth(2).waitFor()
    const rows = await items.locator('.ant-table-row').allInnerTexts()
    assert.equal(rows.length, 3)
    assert.match(rows[1], /旅客身份证号[\s\S]*有条件共享[\s\S]*仅向承担治安管理/)
    assert.match(rows[0], /旅客姓名[\s\S]*无条件共享/)
    await screenshot(page, '12-catalog-detail-items')

    await page.getByRole('tab', { name: '版本历史' }).click()
    const versions = page.getByTestId('version-history').locator('.ant-table-row')
    await versions.nth(1).waitFor()
    assert.equal(await versions.count(), 2, 'both published versions are listed')
    await assertChineseUi(page, 'catalog detail')
    assert.deepEqual(requester.problems, [])
  })
})
