import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { item } from './support/catalog.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const ENTRY = '网约车驾驶员暂住登记信息'

// Line 4 (the header is line 1) has a broken timestamp: the upload skips it and reports it.
const CSV = [
  '登记编号,姓名,身份证号,居住地址,登记时间',
  'R001,张晓明,370702198501011234,山东省潍坊市奎文区胜利东街1号,2026-11-20 09:00:00',
  'R002,李红,370703199002022345,山东省潍坊市潍城区向阳路2号,2026-11-21 10:00:00',
  'R003,王强,370704197803033456,山东省潍坊市坊子区凤凰街3号,不是时间',
  'R004,赵敏,370705200104044567,山东省潍坊市寒亭区通亭街4号,2026-11-22 11:00:00',
].join('\n')

/** An app of the 人社局, named by its 接口 request (SPEC §7.6: a grant belongs to the apps its request names). */
async function rsjApp(server: ConsoleServer, token: string): Promise<string> {
  const created = await server.api('POST', '/apps', { token, body: { name: `就业认定核验系统${Date.now()}`, ipAllowList: [] } })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  return created.body.id
}

/**
 * The sharing journey across departments, all through the console: the 公安局 cataloger uploads the
 * rows of a new entry on the 资源挂接 page (with the rejected-rows report) and submits it; the
 * authority publishes it; a 民政局 requester applies (the 不予共享 item cannot be ticked); the
 * 公安局 approver grants part of the items with masking; the requester, who created its app (secret
 * shown once) and named it on the request, sees the difference and opens the call guide; a 人社局
 * request is refused with a reason.
 */
describe('sharing journey: mount → publish → apply → partial approval → app → call guide; rejection', () => {
  let server: ConsoleServer
  let browser: Browser
  let cataloger: ConsolePage
  let authority: ConsolePage
  let requester: ConsolePage
  let approver: ConsolePage
  let entryId = ''
  let requestId = ''
  let appKey = ''
  let appSecret = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    cataloger = await openConsole(browser, server.baseUrl)
    authority = await openConsole(browser, server.baseUrl)
    requester = await openConsole(browser, server.baseUrl)
    approver = await openConsole(browser, server.baseUrl)
    await login(cataloger.page, 'gaj_cataloger')
    await login(authority.page, 'authority')
    await login(requester.page, 'mzj_user')
    await login(approver.page, 'gaj_approver')

    // The draft itself (compiling through the form is catalog-journey's part).
    const token = await server.tokenOf('gaj_cataloger')
    const mine = await server.api('GET', '/catalog/resources?mine=true&pageSize=100', { token })
    const classCode = mine.body.items.map((r: { classCode: string }) => r.classCode).find((c: string) => c.startsWith('3'))
    const created = await server.api('POST', '/catalog/resources', {
      token,
      body: {
        name: ENTRY,
        classCode,
        abstract: '辖区流动人口居住登记的基本信息，包括登记编号、姓名、身份证号、居住地址和登记时间。',
        formatClass: 3,
        formatType: 'PostgreSQL',
        shareModeClass: '共享平台方式',
        shareModes: ['api'],
        openFlag: false,
        updateCycle: 2,
        shareCondition: '仅向承担流动人口服务管理、社会救助职责的部门提供',
        shareBasis: '《居住证暂行条例》第十条',
        relatedCodes: [],
        secret: false,
        dataGrade: '一般数据',
        survey: {},
        dutyRefs: [],
        items: [
          item('登记编号', 'reg_no', 'C', { isPrimaryKey: true }),
          item('姓名', 'person_name', 'C', { sensitive: true, piCategory: 'personal' }),
          item('身份证号', 'id_no', 'C', { shareType: 2, shareCondition: '用于身份核验', sensitive: true, piCategory: 'sensitive_personal' }),
          item('居住地址', 'address', 'C', { shareType: 2, shareCondition: '用于入户核查', sensitive: true, piCategory: 'personal' }),
          item('侦查线索', 'clue', 'M', { shareType: 3, shareCondition: '涉及侦查工作秘密，依法不予共享' }),
          item('登记时间', 'reg_at', 'T', { isTimestamp: true }),
        ],
      },
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    entryId = created.body.id
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the cataloger uploads the rows on 资源挂接 (bad line reported) and submits the entry', async () => {
    const { page } = cataloger
    await page.getByTestId('main-menu').getByText('资源挂接').click()
    await page.getByTestId('mount-entries').locator('.ant-table-row', { hasText: ENTRY }).getByText(ENTRY).click()
    await page.waitForURL(`**/mounts/${entryId}`)
    await page.getByTestId('mount-summary').getByText('尚未挂接数据').waitFor()
    await page
      .getByTestId('table-upload')
      .locator('input[type=file]')
      .setInputFiles({ name: '流动人口.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') })
    await page.getByTestId('table-upload').getByText('已选择：流动人口.csv').waitFor()

    // All or nothing by default: the bad line is reported and nothing is loaded.
    await page.getByTestId('table-upload-start').click()
    await page.getByTestId('table-upload-error').waitFor()
    assert.match(await page.getByTestId('rejected-rows').innerText(), /第 4 行[\s\S]*登记时间[\s\S]*不是时间/)

    await page.getByTestId('skip-invalid').click()
    await page.getByTestId('table-upload-start').click()
    const result = page.getByTestId('table-upload-result')
    await result.waitFor()
    assert.match(await result.innerText(), /已导入 3 行，跳过 1 行错误数据/)
    assert.match(await page.getByTestId('rejected-rows').innerText(), /第 4 行[\s\S]*不是时间/)
    assert.match(await page.getByTestId('table-upload-progress').innerText(), /100%/)
    await page.getByTestId('mount-summary').getByText('3 行').waitFor()
    await page.getByTestId('batches').locator('.ant-table-row').first().waitFor()
    await assertChineseUi(page, 'mount page')
    await screenshot(page, '19-mount-upload')

    await page.getByTestId('mount-submit').click()
    await page.waitForURL(`**/catalog/${entryId}`)
    await page.getByText('待审核').first().waitFor()
    assert.deepEqual(cataloger.problems, [])
  })

  test('the authority publishes it', async () => {
    const { page } = authority
    await page.goto(`/catalog-review/${entryId}`)
    await page.getByTestId('approve').click()
    await page.waitForURL('**/catalog-review')
    const { body } = await server.api('GET', `/catalog/resources/${entryId}`, { token: await server.tokenOf('authority') })
    assert.equal(body.status, 'published')
  })

  test('a 民政局 requester creates an app (secret shown once) and applies for it from the entry: the 不予共享 item cannot be ticked', async () => {
    const { page } = requester
    // SPEC §7.6: an 接口 grant belongs to the apps its request names, so the app comes first.
    await page.goto('/workbench')
    await page.getByTestId('main-menu').getByText('调用应用').click()
    await page.getByTestId('new-app').click()
    await page.getByTestId('app-name').fill('低保资格核对系统')
    await page
      .locator('.ant-modal:visible')
      .getByRole('button', { name: /创\s*建/ })
      .click()
    const secretBox = page.getByTestId('app-secret')
    await secretBox.waitFor()
    appKey = (await page.getByTestId('app-key').innerText()).trim()
    appSecret = (await page.getByTestId('app-secret-value').innerText()).trim()
    assert.ok(appSecret.length >= 20, 'a secret is shown')
    assert.match(await secretBox.innerText(), /密钥只显示这一次/)
    await assertChineseUi(page, 'app secret')
    await screenshot(page, '23-app-secret', { fullPage: false })
    await page.getByTestId('secret-saved').click()
    await secretBox.waitFor({ state: 'detached' })
    const row = page.getByTestId('app-list').locator('.ant-table-row', { hasText: '低保资格核对系统' })
    await row.waitFor()
    assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(appSecret), 'the secret is not shown again')

    await page.goto(`/catalog/${entryId}`)
    await page.getByTestId('apply').click()
    await page.waitForURL(/\/share-requests\/new\?resourceId=/)
    const picker = page.getByTestId('item-picker')
    const closedRow = picker.locator('.ant-table-row', { hasText: '侦查线索' })
    await closedRow.waitFor()
    assert.equal(await closedRow.locator('input[type=checkbox]').isDisabled(), true)
    assert.equal(await closedRow.locator('input[type=checkbox]').isChecked(), false)
    assert.equal(await picker.locator('.ant-table-row input[type=checkbox]:checked').count(), 5, 'the shareable items start ticked')
    await closedRow.getByText('侦查线索').hover()
    await page
      .locator('.ant-tooltip:visible')
      .getByText(/不予共享，不能申请。依据：涉及侦查工作秘密/)
      .waitFor()

    await page.getByTestId('apply-submit').click()
    await page
      .locator('.ant-form-item', { has: page.locator('#dutyBasis') })
      .locator('.ant-form-item-explain-error')
      .waitFor()
    await page.locator('#dutyBasis').fill('《社会救助暂行办法》第十一条：最低生活保障家庭经济状况核对')
    await page.getByTestId('apply-apps').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '低保资格核对系统' }).click()
    await page.keyboard.press('Escape')
    await assertChineseUi(page, 'apply form')
    await screenshot(page, '20-apply-form')
    await page.getByTestId('apply-submit').click()
    await page.waitForURL(/\/share-requests\/[0-9a-f-]{36}$/)
    requestId = page.url().split('/').pop()!
    await page.getByText('待审批').first().waitFor()
    await page.getByTestId('countdown').first().waitFor()
    assert.match(await page.getByTestId('countdown').first().innerText(), /剩余 \d+ 个工作日/)
    assert.match(await page.getByTestId('request-timeline').innerText(), /提交申请/)
    assert.deepEqual(requester.problems, [])
  })

  test('the 公安局 approver grants part of the items with masking', async () => {
    const { page } = approver
    await page.goto('/workbench')
    const todo = page.getByTestId('todo-incoming').locator('.ant-table-row', { hasText: ENTRY })
    await todo.getByTestId('countdown').waitFor()
    assert.match(await todo.innerText(), /潍坊市民政局[\s\S]*剩余 \d+ 个工作日/)
    await todo.getByText(ENTRY).click()
    await page.waitForURL(`**/share-requests/${requestId}`)
    const items = page.getByTestId('decision-items')
    const idRow = items.locator('.ant-table-row', { hasText: '身份证号' })
    await idRow.getByText('370702********1234').waitFor()
    // Untick 居住地址; 姓名 keeps only the surname by default; 身份证号 gets the SM3 pseudonym instead.
    await items.locator('.ant-table-row', { hasText: '居住地址' }).locator('input[type=checkbox]').click()
    await items.locator('.ant-table-row', { hasText: '姓名' }).getByText('张**').waitFor()
    await idRow.locator('.ant-select').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'SM3 加盐假名' }).click()
    await idRow
      .getByTestId('mask-preview')
      .getByText(/→ [0-9a-f]{64}/)
      .waitFor()
    await idRow.locator('.ant-select').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '身份证号（保留前6后4）' }).click()
    await idRow.getByText('370702********1234').waitFor()
    await page.getByTestId('decision-comment').fill('同意提供身份核验所需信息项，身份证号、姓名脱敏；居住地址不予提供。')
    await assertChineseUi(page, 'decision form')
    await screenshot(page, '21-request-decision')
    assert.match(await page.getByTestId('approve').innerText(), /同意部分信息项（4\/5）/)
    await page.getByTestId('approve').click()
    // 同意授权 shows what will be granted before it grants, as 拒绝 does.
    const summary = page.locator('.ant-modal:visible').getByTestId('grant-summary')
    await summary.waitFor()
    const granted = await summary.innerText()
    assert.match(granted, /身份证号：身份证号（保留前6后4）/)
    assert.match(granted, /不提供：居住地址/)
    assert.match(granted, /数据范围\s*全部数据行/)
    assert.match(granted, /有效期至\s*\d{4}年\d{1,2}月\d{1,2}日/)
    await screenshot(page, '44-grant-confirm', { fullPage: false })
    await page.locator('.ant-modal:visible').getByTestId('dialog-ok').click()
    await page.getByText('已授权').first().waitFor()
    assert.deepEqual(approver.problems, [])
  })

  test('the requester sees what was granted and opens the call guide', async () => {
    const { page } = requester
    await page.goto(`/share-requests/${requestId}`)
    const difference = page.getByTestId('grant-difference')
    await difference.waitFor()
    const text = await difference.innerText()
    assert.match(text, /已授权 4 项信息项（申请 5 项）/)
    assert.match(text, /未授权的信息项：居住地址/)
    assert.match(text, /身份证号：身份证号（保留前6后4）/)
    assert.match(await page.getByTestId('request-timeline').innerText(), /提供方同意授权[\s\S]*同意提供身份核验所需信息项/)
    await assertChineseUi(page, 'granted request')
    await screenshot(page, '22-request-granted')

    await page.getByTestId('main-menu').getByText('数据授权').click()
    await page.getByTestId('grant-list').locator('.ant-table-row', { hasText: ENTRY }).getByText(ENTRY).click()
    await page.getByTestId('grant-items').waitFor()
    await page.getByTestId('api-guide-open').click()
    const guide = page.getByTestId('api-guide')
    await guide.waitFor()
    const recordsCurl = await page.getByTestId('curl-records').innerText()
    assert.ok(recordsCurl.includes(`${server.baseUrl}/api/v1/gateway/resources/${entryId}/records`), recordsCurl)
    assert.ok((await page.getByTestId('curl-token').innerText()).includes(`${server.baseUrl}/api/v1/gateway/token`))
    const sample = JSON.parse(await page.getByTestId('sample-response').innerText())
    assert.deepEqual(Object.keys(sample.items[0]).sort(), ['id_no', 'person_name', 'reg_at', 'reg_no'])
    assert.equal(sample.items[0].id_no, '370702********1234')
    assert.equal(sample.items[0].person_name, '张**')
    await assertChineseUi(page, 'call guide')
    await screenshot(page, '26-api-guide', { fullPage: false })

    // The guide's calls work as written with the app shown once.
    const token = await fetch(`${server.baseUrl}/api/v1/gateway/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appKey, appSecret }),
    })
    assert.equal(token.status, 200)
    const { accessToken } = (await token.json()) as { accessToken: string }
    const records = await fetch(`${server.baseUrl}/api/v1/gateway/resources/${entryId}/records?limit=20`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
    assert.equal(records.status, 200)
    const body = (await records.json()) as { items: Record<string, unknown>[] }
    assert.equal(body.items.length, 3)
    assert.ok(body.items.every((r) => !('address' in r) && /^\d{6}\*{8}\d{4}$/.test(String(r.id_no))))

    // The call shows in the department's call log, and the grant list holds the grant.
    await page.keyboard.press('Escape')
    await page.getByTestId('main-menu').getByText('调用记录').click()
    const call = page.getByTestId('call-list').locator('.ant-table-row', { hasText: ENTRY })
    await call.first().waitFor()
    assert.match(await call.first().innerText(), /潍坊市公安局[\s\S]*3[\s\S]*成功/)
    await assertChineseUi(page, 'gateway calls')
    await screenshot(page, '29-gateway-calls')
    await page.getByTestId('main-menu').getByText('数据授权').click()
    await page.getByTestId('grant-list').locator('.ant-table-row', { hasText: ENTRY }).waitFor()
    await assertChineseUi(page, 'grants')
    await screenshot(page, '30-grants')
    assert.deepEqual(requester.problems, [])
  })

  test('the approver refuses another request: a reason is required and the requester sees it', async () => {
    const rsj = await server.tokenOf('rsj_user')
    const detail = await server.api('GET', `/catalog/resources/${entryId}`, { token: rsj })
    const itemIds = detail.body.items.filter((i: { shareType: number }) => i.shareType !== 3).map((i: { id: string }) => i.id)
    const applied = await server.api('POST', '/share-requests', {
      token: rsj,
      body: {
        resourceId: entryId,
        itemIds,
        purpose: '工作参考',
        dutyBasis: '就业困难人员认定',
        mode: 'api',
        appIds: [await rsjApp(server, rsj)],
        validUntil: '2027-06-30',
      },
    })
    assert.equal(applied.status, 201, JSON.stringify(applied.body))

    const { page } = approver
    await page.goto('/share-requests/incoming')
    await page.getByTestId('request-list').locator('.ant-table-row', { hasText: '潍坊市人力资源和社会保障局' }).first().waitFor()
    await assertChineseUi(page, 'incoming requests')
    await screenshot(page, '31-incoming-requests')
    await page.getByTestId('request-list').locator('.ant-table-row', { hasText: '潍坊市人力资源和社会保障局' }).first().getByText(ENTRY).click()
    await page.waitForURL(`**/share-requests/${applied.body.id}`)
    await page.getByTestId('reject').click()
    const ok = page.locator('.ant-modal:visible').getByTestId('dialog-ok')
    assert.equal(await ok.isDisabled(), true, 'no refusal without a reason')
    // A stock phrase is not a reason: refused in the form, the request stays pending.
    await page.locator('.ant-modal:visible').getByTestId('dialog-text').fill('不同意。')
    await ok.click()
    assert.match(await page.locator('.ant-modal:visible').getByTestId('dialog-text-error').innerText(), /套话/)
    assert.equal((await server.api('GET', `/share-requests/${applied.body.id}`, { token: rsj })).body.status, 'pending')
    await page.locator('.ant-modal:visible').getByTestId('dialog-text').fill('“工作参考”不足以支持获取身份证号等个人敏感信息，请明确具体履职事项和法律依据。')
    await ok.click()
    await page.getByTestId('reject-reason').waitFor()

    const user = await openConsole(browser, server.baseUrl)
    await login(user.page, 'rsj_user')
    await user.page.goto(`/share-requests/${applied.body.id}`)
    const reason = user.page.getByTestId('reject-reason')
    await reason.waitFor()
    assert.match(await reason.innerText(), /请明确具体履职事项和法律依据/)
    await user.page.getByTestId('coordinate').waitFor()
    await assertChineseUi(user.page, 'rejected request')
    await screenshot(user.page, '27-request-rejected')
    await user.page.getByTestId('main-menu').getByText('我的申请').click()
    await user.page.getByTestId('request-list').locator('.ant-table-row').first().waitFor()
    await settled(user.page)
    await screenshot(user.page, '28-my-requests')
    assert.deepEqual(user.problems, [])
    assert.deepEqual(approver.problems, [])
    await user.context.close()
  })
})
