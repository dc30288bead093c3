import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { axeViolations } from './support/axe.ts'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot } from './support/browser.ts'
import { item } from './support/catalog.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const ENTRY = '户籍人口月度统计报表'
const CSV = '区县,户籍人口\n奎文区,512300\n潍城区,438100\n'

/** A 文件 grant through the console: the consumer downloads a marked copy after naming its purpose; both sides see the log. */
describe('file delivery: a 文件 grant downloaded with its purpose and a trace mark', () => {
  let server: ConsoleServer
  let browser: Browser
  let requester: ConsolePage
  let approver: ConsolePage
  let grantId = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    requester = await openConsole(browser, server.baseUrl)
    approver = await openConsole(browser, server.baseUrl)
    await login(requester.page, 'mzj_user')
    await login(approver.page, 'gaj_approver')

    const token = await server.tokenOf('gaj_cataloger')
    const mine = await server.api('GET', '/catalog/resources?mine=true&pageSize=100', { token })
    const classCode = mine.body.items.map((r: { classCode: string }) => r.classCode).find((c: string) => c.startsWith('3'))
    const created = await server.api('POST', '/catalog/resources', {
      token,
      body: {
        name: ENTRY,
        classCode,
        abstract: '按区县汇总的户籍人口月度统计报表，每月更新一次。',
        formatClass: 3,
        formatType: 'PostgreSQL',
        shareModeClass: '共享平台方式',
        shareModes: ['file'],
        openFlag: false,
        updateCycle: 2,
        relatedCodes: [],
        secret: false,
        dataGrade: '一般数据',
        survey: {},
        dutyRefs: [],
        items: [item('区县', 'county', 'C', { isPrimaryKey: true }), item('户籍人口', 'population', 'C')],
      },
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(CSV)]), '户籍人口月报.csv')
    const uploaded = await fetch(`${server.baseUrl}/api/v1/catalog/resources/${created.body.id}/mounts/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    })
    assert.equal(uploaded.status, 201, await uploaded.text())
    assert.equal((await server.api('POST', `/catalog/resources/${created.body.id}/submit`, { token })).status, 200)
    const reviewed = await server.api('POST', `/catalog/resources/${created.body.id}/review`, {
      token: await server.tokenOf('authority'),
      body: { decision: 'approve' },
    })
    assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body))
    const applied = await server.api('POST', '/share-requests', {
      token: await server.tokenOf('mzj_user'),
      body: {
        resourceId: created.body.id,
        itemIds: reviewed.body.items.map((i: { id: string }) => i.id),
        purpose: '数据校核',
        dutyBasis: '社会救助对象人口核对',
        mode: 'file',
        validUntil: '2027-12-31',
      },
    })
    assert.equal(applied.status, 201, JSON.stringify(applied.body))
    assert.equal(applied.body.status, 'granted', JSON.stringify(applied.body))
    grantId = applied.body.grantId
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the consumer names the purpose, downloads a marked copy and sees the download in the log', async () => {
    const { page } = requester
    await page.goto(`/grants/${grantId}`)
    const files = page.getByTestId('grant-files')
    await files.getByText('户籍人口月报.csv').waitFor()
    await page.getByTestId('download-file-1').click()
    assert.equal(await page.getByTestId('confirm-download').isDisabled(), true, 'no download without a purpose')
    await page.getByTestId('download-purpose').fill('低保对象户籍核对')
    await page.getByTestId('download-ref').fill('MZ2026120001')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('confirm-download').click()])
    assert.equal(download.suggestedFilename(), '户籍人口月报.csv')
    const content = readFileSync((await download.path())!, 'utf8')
    const [mark, ...rest] = content.split('\n')
    const id = /下载编号 ([0-9a-f-]{36})/.exec(mark)?.[1]
    assert.ok(id, mark)
    assert.equal(rest.join('\n'), CSV)
    await files.getByText(`已下载，下载编号 ${id}`).waitFor()
    const log = page.getByTestId('file-downloads')
    await log.getByText('低保对象户籍核对').waitFor()
    assert.match(await log.innerText(), /MZ2026120001/)
    await assertChineseUi(page, 'grant file downloads')
    assert.deepEqual(await axeViolations(page), [])
    await screenshot(page, '60-grant-file-download')
    assert.deepEqual(requester.problems, [])
  })

  test('the provider sees the log but no download button', async () => {
    const { page } = approver
    await page.goto(`/grants/${grantId}`)
    await page.getByTestId('file-downloads').getByText('低保对象户籍核对').waitFor()
    assert.equal(await page.getByTestId('download-file-1').count(), 0)
    assert.deepEqual(await axeViolations(page), [])
    assert.deepEqual(approver.problems, [])
  })
})
