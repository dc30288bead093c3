import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { axeViolations } from './support/axe.ts'
import { item } from './support/catalog.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/** A CSV of `count` rows of the entry below, optionally without 登记时间 and with a column no item has. */
function registrationsCsv(count: number, variant: 'full' | 'short' = 'full') {
  const header = variant === 'full' ? '登记编号,姓名,登记时间' : '登记编号,姓名,核查备注'
  const rows = Array.from(
    { length: count },
    (_, i) => `R${String(i + 1).padStart(3, '0')},登记人${i + 1},${variant === 'full' ? '2026-11-20 09:00:00' : '已核查'}`,
  )
  return [header, ...rows].join('\n')
}

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

  test('库表整批替换: the upload shows what changes and asks first (more firmly over 50 %); the previous batch can be restored', async () => {
    const cataloger = await openConsole(browser, server.baseUrl)
    await login(cataloger.page, 'gaj_cataloger')
    const { page } = cataloger
    const token = await server.tokenOf('gaj_cataloger')
    const mine = await server.api('GET', '/catalog/resources?mine=true&pageSize=100', { token })
    const classCode = mine.body.items.map((r: { classCode: string }) => r.classCode).find((c: string) => c.startsWith('3'))
    const created = await server.api('POST', '/catalog/resources', {
      token,
      body: {
        name: '出租房屋承租人登记信息',
        classCode,
        abstract: '辖区出租房屋承租人的登记信息，包括登记编号、姓名和登记时间。',
        formatClass: 3,
        formatType: 'PostgreSQL',
        shareModeClass: '共享平台方式',
        shareModes: ['api'],
        openFlag: false,
        updateCycle: 2,
        shareCondition: '',
        shareBasis: '《山东省流动人口服务管理暂行办法》',
        relatedCodes: [],
        secret: false,
        dataGrade: '一般数据',
        survey: {},
        dutyRefs: [],
        items: [
          item('登记编号', 'reg_no', 'C', { isPrimaryKey: true }),
          item('姓名', 'person_name', 'C'),
          item('登记时间', 'reg_at', 'T', { isTimestamp: true }),
        ],
      },
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const entryId = created.body.id
    const mountOf = async () =>
      (await server.api('GET', `/catalog/resources/${entryId}/mounts`, { token })).body.items.find((m: { kind: string }) => m.kind === 'table')
    const choose = async (name: string, csv: string) => {
      await page
        .getByTestId('table-upload')
        .locator('input[type=file]')
        .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
      await page.getByTestId('table-upload').getByText(`已选择：${name}`).waitFor()
      await page.getByTestId('table-upload-start').click()
    }

    await page.goto(`/mounts/${entryId}`)
    // Nothing is served yet: the first file loads without a replacement dialog.
    await choose('承租人登记.csv', registrationsCsv(10))
    await page.getByTestId('table-upload-result').getByText('已导入 10 行').waitFor()
    await page.getByTestId('mount-summary').getByText('10 行').waitFor()

    // 3 rows instead of 10 and no 登记时间 column: the preview says so and nothing changes until confirmed.
    await choose('承租人登记-核查后.csv', registrationsCsv(3, 'short'))
    const dialog = page.locator('.ant-modal:visible')
    const preview = dialog.getByTestId('replace-preview')
    await preview.waitFor()
    const text = await preview.innerText()
    assert.match(text, /当前数据行数\s*10 行/)
    assert.match(text, /替换后数据行数\s*3 行/)
    assert.match(text, /-70%/)
    assert.match(text, /登记时间（当前有数据，替换后为空）/)
    assert.match(text, /将被忽略的列\s*核查备注/)
    assert.match(text, /从 10 行变为 3 行/)
    assert.equal((await mountOf()).rowCount, 10)
    // The stronger confirmation: the button works only once the change is acknowledged.
    const confirm = dialog.getByTestId('replace-confirm')
    assert.equal(await confirm.isDisabled(), true)
    assert.deepEqual(await axeViolations(page, '.ant-modal'), [])
    await screenshot(page, '48-mount-replace-preview', { fullPage: false })
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: '取 消' }).click()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal((await mountOf()).rowCount, 10)

    await page.getByTestId('table-upload-start').click()
    await preview.waitFor()
    await dialog.getByTestId('replace-acknowledge').click()
    await confirm.click()
    await page.getByTestId('table-upload-result').getByText('已导入 3 行').waitFor()
    await page.getByTestId('mount-summary').getByText('3 行').waitFor()
    assert.equal((await mountOf()).rowCount, 3)

    // 恢复上一批次, after its own confirmation.
    const restorable = page.getByTestId('restorable')
    await restorable.getByText(/上一批次（承租人登记\.csv，10 行）保留至/).waitFor()
    await restorable.getByTestId('restore-previous').click()
    const ask = page.locator('.ant-modal-confirm:visible')
    await ask.getByText(/将用上一批次「承租人登记\.csv」（10 行）替换当前数据（3 行）/).waitFor()
    assert.deepEqual(await axeViolations(page, '.ant-modal'), [])
    await ask.getByTestId('restore-confirm').click()
    await page.getByTestId('mount-summary').getByText('10 行').waitFor()
    assert.equal((await mountOf()).rowCount, 10)
    // Now the batch of 3 rows is the one that can be restored.
    await restorable.getByText(/上一批次（承租人登记-核查后\.csv，3 行）/).waitFor()
    const events = await server.api('GET', `/audit/events?action=mounts.table.restore&objectId=${entryId}`, { token: await server.tokenOf('auditor') })
    assert.equal(events.status, 200, JSON.stringify(events.body))
    assert.equal(events.body.items.length, 1)
    await screenshot(page, '49-mount-restored', { fullPage: false })
    await assertChineseUi(page, 'mount page')
    assert.deepEqual(await axeViolations(page), [])
    assert.deepEqual(cataloger.problems, [])
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
    const value = async () =>
      (await server.api('GET', '/parameters', { token })).body.items.find((p: { key: string }) => p.key === 'sharing.providerReplyWorkdays').value
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
