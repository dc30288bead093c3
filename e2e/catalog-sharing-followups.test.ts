import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, menuOf, openConsole, screenshot, settled } from './support/browser.ts'
import { item } from './support/catalog.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const DATA_ELEMENT = 'DE0001-公民身份号码'

const entry = (name: string, classCode: string, items: unknown[]) => ({
  name,
  classCode,
  abstract: `${name}，用于跨部门核验一数一源的测试目录。`,
  formatClass: 3,
  formatType: 'PostgreSQL',
  // Exchanged outside the platform: no data needs mounting before the entry can be published.
  shareModeClass: '介质交换(电子文档)',
  shareModes: [],
  shareModeReason: '数据量小、按季度报送，以电子文档交换',
  openFlag: false,
  updateCycle: 2,
  shareCondition: '仅向有关部门提供',
  shareBasis: '《山东省公共数据开放办法》',
  relatedCodes: [],
  secret: false,
  dataGrade: '一般数据',
  survey: {},
  dutyRefs: [],
  items,
})

/**
 * Console follow-ups of recent server features: 一数一源 warnings on the entry and in 目录审核, the
 * entry's own action flags (申请 / 调用说明 / 样例数据), the capped search total, grant suspend and
 * resume, and the DEPT_ADMIN's 本单位申请 list.
 */
describe('catalog and sharing follow-ups', () => {
  let server: ConsoleServer
  let browser: Browser
  let authority: ConsolePage
  let pendingId = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    authority = await openConsole(browser, server.baseUrl)
    await login(authority.page, 'authority')

    // 市场监管局 publishes an entry naming a data element reference the registry does not know (no warning).
    const scj = await server.tokenOf('scj_cataloger')
    const auth = await server.tokenOf('authority')
    const classOf = async (token: string) =>
      (await server.api('GET', '/catalog/resources?mine=true&pageSize=100', { token })).body.items
        .map((r: { classCode: string }) => r.classCode)
        .find((c: string) => c.startsWith('3'))
    const other = await server.api('POST', '/catalog/resources', {
      token: scj,
      body: entry('市场主体法定代表人信息', await classOf(scj), [
        item('统一社会信用代码', 'uscc', 'C', { isPrimaryKey: true }),
        item('法定代表人身份证号', 'legal_id_no', 'C', { dataElementRef: DATA_ELEMENT }),
      ]),
    })
    assert.equal(other.status, 201, JSON.stringify(other.body))
    const otherSubmitted = await server.api('POST', `/catalog/resources/${other.body.id}/submit`, { token: scj })
    assert.equal(otherSubmitted.status, 200, JSON.stringify(otherSubmitted.body))
    const published = await server.api('POST', `/catalog/resources/${other.body.id}/review`, { token: auth, body: { decision: 'approve' } })
    assert.equal(published.status, 200, JSON.stringify(published.body))
    // 市场监管局 then collects 公民身份号码 itself, an element the registry gives to 公安局: a 一数一源 warning.
    const mine = await server.api('POST', '/catalog/resources', {
      token: scj,
      body: entry('市场主体投资人身份核验信息', await classOf(scj), [
        item('投资人编号', 'investor_no', 'C', { isPrimaryKey: true }),
        item('公民身份号码', 'id_no', 'C'),
      ]),
    })
    assert.equal(mine.status, 201, JSON.stringify(mine.body))
    pendingId = mine.body.id
    const submitted = await server.api('POST', `/catalog/resources/${pendingId}/submit`, { token: scj })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    assert.ok((submitted.body.oneSourceWarnings ?? []).length > 0, 'the server reports the one-source conflict')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('目录审核 and the entry show the 一数一源 warnings', async () => {
    const { page, problems } = authority
    await page.goto(`/catalog-review/${pendingId}`)
    const alert = page.getByTestId('one-source-alert')
    await alert.waitFor()
    assert.match(await alert.innerText(), /一数一源提示（1 项）[\s\S]*公民身份号码[\s\S]*潍坊市公安局/)
    await assertChineseUi(page, 'review with one-source warnings')
    await screenshot(page, '38-review-one-source')

    const cataloger = await openConsole(browser, server.baseUrl)
    await login(cataloger.page, 'scj_cataloger')
    await cataloger.page.goto(`/catalog/${pendingId}`)
    await cataloger.page.getByTestId('one-source-alert').waitFor()
    assert.match(await cataloger.page.getByTestId('one-source-warnings').innerText(), /不再重复采集/)
    assert.deepEqual(cataloger.problems, [])
    await cataloger.context.close()
    assert.deepEqual(problems, [])
  })

  test("申请 / 调用说明 / 样例数据 follow the entry's actions; the sample shows masked rows", async (t) => {
    const requester = await openConsole(browser, server.baseUrl)
    const token = await server.tokenOf('mzj_user')
    const found = await server.api('GET', '/catalog/resources?shareType=1&status=published&pageSize=100', { token })
    const candidates: { id: string }[] = found.body.items.filter((r: { actions: Record<string, boolean> }) => r.actions.sample)
    assert.ok(candidates.length > 0, 'the demo holds 无条件共享 entries of other departments')
    // The first entry with mounted rows, else the first one (its sample answers 409 NO_SAMPLE).
    let open = candidates[0]
    let probe = await server.api('GET', `/catalog/resources/${open.id}/sample`, { token })
    for (const candidate of candidates.slice(1, 30)) {
      if (probe.status !== 409) break
      const next = await server.api('GET', `/catalog/resources/${candidate.id}/sample`, { token })
      if (next.status === 200) [open, probe] = [candidate, next]
    }
    await login(requester.page, 'mzj_user')
    await requester.page.goto(`/catalog/${open.id}`)
    await requester.page.getByTestId('apply').waitFor()
    await requester.page.getByTestId('api-guide-open').waitFor()
    await requester.page.getByRole('tab', { name: '样例数据' }).click()
    if (probe.status === 404) {
      t.skip('GET /catalog/resources/{id}/sample is not on the server yet')
      await requester.context.close()
      return
    }
    if (probe.status === 409) {
      assert.equal(probe.body.error.code, 'NO_SAMPLE')
      await requester.page.getByText(probe.body.error.message).waitFor()
    } else {
      assert.equal(probe.status, 200, JSON.stringify(probe.body))
      const sample = requester.page.getByTestId('sample-data')
      await sample.waitFor()
      const rows = await sample.locator('.ant-table-row').count()
      assert.equal(rows, probe.body.rows.length)
      assert.ok(rows > 0 && rows <= 5)
    }
    await assertChineseUi(requester.page, 'sample data')
    await screenshot(requester.page, '39-catalog-sample')

    // An auditor has neither 申请 nor 调用说明 nor a sample of data it cannot use.
    const auditor = await openConsole(browser, server.baseUrl)
    await login(auditor.page, 'auditor')
    await auditor.page.goto(`/catalog/${open.id}`)
    await auditor.page.getByRole('tab', { name: /信息项/ }).waitFor()
    const detail = await server.api('GET', `/catalog/resources/${open.id}`, { token: await server.tokenOf('auditor') })
    assert.equal(await auditor.page.getByTestId('apply').count(), detail.body.actions.request ? 1 : 0)
    assert.equal(await auditor.page.getByRole('tab', { name: '样例数据' }).count(), detail.body.actions.sample ? 1 : 0)
    assert.deepEqual(requester.problems, [])
    await requester.context.close()
    await auditor.context.close()
  })

  test('a search with more matches than the server counts says 1000+ and asks for a narrower search', async () => {
    const requester = await openConsole(browser, server.baseUrl)
    await login(requester.page, 'mzj_user')
    // The demo has ~100 entries: the capped answer of a large catalog is played by rewriting the real one.
    await requester.page.route('**/api/v1/catalog/resources?*', async (route) => {
      const response = await route.fetch()
      const body = await response.json()
      await route.fulfill({ response, json: { ...body, total: 1000, totalCapped: true } })
    })
    await requester.page.goto('/catalog?q=信息')
    const capped = requester.page.getByTestId('search-capped')
    await capped.waitFor()
    assert.equal(await capped.innerText(), '检索结果超过 1000 条，仅可翻阅前 1000 条，请增加检索词或筛选条件')
    await requester.page.getByText('共 1000+ 条').waitFor()
    // The last page offered is the one holding the 1000th result.
    assert.equal(await requester.page.locator('.ant-pagination-item').last().innerText(), '50')
    await settled(requester.page)
    await screenshot(requester.page, '40-catalog-search-capped', { fullPage: false })
    assert.deepEqual(requester.problems, [])
    await requester.context.close()
  })

  test('the provider approver suspends a grant (status 已暂停) and resumes it', async () => {
    const token = await server.tokenOf('gaj_approver')
    const grants = await server.api('GET', '/grants?box=provided&status=active&pageSize=20', { token })
    const grant = grants.body.items.find((g: { actions: Record<string, boolean> }) => g.actions.suspend)
    assert.ok(grant, 'the demo holds an active grant of 公安局 data')
    const approver = await openConsole(browser, server.baseUrl)
    const { page } = approver
    await login(page, 'gaj_approver')
    await page.goto(`/grants/${grant.id}`)
    await page.getByTestId('suspend').click()
    const ok = page.locator('.ant-modal:visible').getByRole('button', { name: '确认暂停' })
    assert.equal(await ok.isDisabled(), true, 'no suspension without a reason')
    await page.getByTestId('grant-reason').fill('发现异常批量调用，暂停待核查')
    await ok.click()
    await page.getByTestId('grant-suspended').waitFor()
    await page.locator('.ant-tag', { hasText: '已暂停' }).first().waitFor()
    assert.match(await page.getByTestId('grant-facts').innerText(), /发现异常批量调用/)
    await page.getByTestId('resume').waitFor()
    assert.equal(await page.getByTestId('suspend').count(), 0)
    await assertChineseUi(page, 'suspended grant')
    await screenshot(page, '41-grant-suspended')
    await page.getByTestId('resume').click()
    await page.getByTestId('grant-reason').fill('经核查调用属正常业务，恢复使用')
    await page.locator('.ant-modal:visible').getByRole('button', { name: '确认恢复' }).click()
    await page.locator('.ant-tag', { hasText: '有效' }).first().waitFor()
    await page.getByTestId('suspend').waitFor()
    assert.deepEqual(approver.problems, [])
    await approver.context.close()
  })

  test("a department administrator follows its department's requests in 本单位申请", async () => {
    const admin = await openConsole(browser, server.baseUrl)
    const { page } = admin
    await login(page, 'gaj_admin')
    const menu = await menuOf(page)
    assert.deepEqual(menu.groups['共享申请'], ['本单位申请', '协调案件'])
    await page.getByTestId('main-menu').getByText('本单位申请').click()
    await page.waitForURL('**/share-requests/org')
    const list = page.getByTestId('request-list')
    await settled(page)
    await page.getByTestId('request-direction').getByText('向本单位提出的').click()
    await list.locator('.ant-table-row').first().waitFor()
    assert.match(await list.innerText(), /申请部门/)
    await assertChineseUi(page, 'org requests')
    await screenshot(page, '42-org-requests')
    assert.deepEqual(admin.problems, [])
    await admin.context.close()
  })
})
