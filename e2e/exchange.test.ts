import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { findPublishedEntry } from '../server/src/modules/catalog/index.ts'
import { axeViolations } from './support/axe.ts'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/**
 * 数据交换 in the console on the Weifang demo: a DEPT_ADMIN registers a front-end node and sees its enrolment
 * token once; the node enrols and beats through the agent's own HTTP protocol against the real server and
 * shows 在线; a feed's runs appear with their figures; the authority reads every department's, read-only.
 */
describe('exchange pages', () => {
  let server: ConsoleServer
  let browser: Browser
  let admin: ConsolePage
  let authority: ConsolePage
  let credential = ''
  const NODE = '市公安局前置机（政务外网区）'

  const agent = async (path: string, body: unknown) => {
    const response = await fetch(`${server.baseUrl}/api/v1/exchange/agent${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    assert.ok(response.ok, `${path}: ${response.status} ${text}`)
    return JSON.parse(text)
  }
  const beat = async () =>
    (await agent('/heartbeat', { connections: [{ name: 'staging', kind: 'postgres' }], working: [] })).tasks as { runId: string; type: string }[]

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    admin = await openConsole(browser, server.baseUrl)
    await login(admin.page, 'gaj_admin')
    authority = await openConsole(browser, server.baseUrl)
    await login(authority.page, 'authority')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('前置机: a DEPT_ADMIN registers a node after confirming and sees the token once; once enrolled it is 在线', async () => {
    const { page, problems } = admin
    await page.goto('/exchange/nodes')
    await page.getByTestId('node-list').waitFor()
    await page.getByTestId('new-node').click()
    await page.getByTestId('node-name').fill(NODE)
    await page.getByRole('button', { name: '下一步' }).click()
    await page.getByText('只显示这一次').first().waitFor()
    await page.getByRole('button', { name: '登记并签发注册令牌' }).click()
    const token = (await page.getByTestId('enrolment-token-value').innerText()).trim()
    assert.match(token, /^gse_[A-Za-z0-9_-]{20,}$/)
    assert.match(await page.getByTestId('enrolment-token').innerText(), /有效期至[\s\S]*npm run govshare-node -- --config/)
    await page.getByTestId('node-list').getByText('待注册').waitFor()
    await screenshot(page, '70-exchange-node-token')

    // The agent enrols with the token (spent by this use) and beats, as govshare-node does.
    const enrolled = await agent('/enrol', { token, connections: [{ name: 'staging', kind: 'postgres' }], version: 'e2e' })
    credential = enrolled.credential
    await beat()
    await page.reload()
    const row = page.getByTestId('node-list').locator('tr', { hasText: NODE })
    await row.getByText('在线').waitFor()
    assert.equal(await page.getByTestId('enrolment-token').count(), 0, 'the token is not shown again')
    assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(token), 'nor anywhere on the page')
    assert.deepEqual(await axeViolations(page), [])
    await assertChineseUi(page, 'exchange nodes')
    await screenshot(page, '71-exchange-nodes')
    assert.deepEqual(problems, [])
  })

  test('交换任务 and 运行记录: a feed’s runs appear with their figures and errors; three failures flag it', async () => {
    const { page, problems } = admin
    const token = await server.tokenOf('gaj_admin')
    const nodes = await server.api('GET', '/exchange/nodes', { token })
    const nodeId = nodes.body.items.find((n: { name: string }) => n.name === NODE).id
    // A published 市公安局 entry with a key item, fed from the node's staging database.
    const mine = await server.api('GET', '/catalog/resources?mine=true&pageSize=50', { token: await server.tokenOf('gaj_cataloger') })
    let entry: Awaited<ReturnType<typeof findPublishedEntry>>
    for (const r of mine.body.items as { id: string }[]) {
      entry = await findPublishedEntry(server.database.db, r.id)
      if (entry?.items.some((i) => i.isPrimaryKey)) break
    }
    assert.ok(entry, 'the demo has a published 市公安局 entry with a key item')
    const key = entry.items.find((i) => i.isPrimaryKey)!
    const columns = entry.items.slice(0, 6).map((item, n) => ({ itemId: item.id, column: item.id === key.id ? 'id' : `c${n}` }))
    if (!columns.some((c) => c.itemId === key.id)) columns.push({ itemId: key.id, column: 'id' })
    const feed = await server.api('POST', '/exchange/feeds', {
      token,
      body: { nodeId, resourceId: entry.resourceId, connection: 'staging', table: 'gaj_stage.people', keyColumn: 'id', columns },
    })
    assert.equal(feed.status, 201, JSON.stringify(feed.body))

    const [verify] = await beat()
    assert.equal(verify.type, 'verify')
    await agent(`/runs/${verify.runId}/verify`, { problems: [], sampled: 200 })
    const [first] = await beat()
    assert.equal(first.type, 'feed')
    await agent(`/runs/${first.runId}/report`, {
      ok: false,
      rowsRead: 12_480,
      rowsFailed: 37,
      bytes: 1_843_200,
      error: '源表 gaj_stage.people 中 37 条记录的出生日期不是有效日期，超过错误上限',
    })

    await page.goto('/exchange/jobs')
    const jobs = page.getByTestId('job-list')
    const jobRow = jobs.locator('tr', { hasText: NODE })
    await jobRow.getByText('运行中').waitFor()
    assert.match(await jobRow.innerText(), new RegExp(`${entry.name}[\\s\\S]*潍坊市公安局`))
    await page.getByRole('button', { name: '立即运行' }).first().click()
    await page.getByText('已安排立即运行').waitFor()
    await page.getByRole('button', { name: '调整参数' }).first().click()
    const dialog = page.getByRole('dialog', { name: /调整参数/ })
    await dialog.getByLabel('并行通道数').fill('4')
    await dialog.getByRole('button', { name: '下一步' }).click()
    await page.getByRole('button', { name: '确认保存' }).click()
    await page.getByText('参数已保存').waitFor()
    const saved = await server.api('GET', `/exchange/jobs?nodeId=${nodeId}`, { token })
    assert.equal(saved.body.items[0].channels, 4)

    // Two more failures (the run asked for now, then one after its back-off) flag the job.
    const [second] = await beat()
    await agent(`/runs/${second.runId}/report`, { ok: false, error: '无法连接数据库 staging：连接超时' })
    await server.database.db.updateTable('exchangeJobs').set({ nextRunAt: null }).where('id', '=', feed.body.id).execute()
    const [third] = await beat()
    await agent(`/runs/${third.runId}/report`, { ok: false, error: '无法连接数据库 staging：连接超时' })
    await page.reload()
    await page.getByTestId('flagged-alert').waitFor()
    await jobRow.getByTestId('job-flagged').waitFor()
    assert.deepEqual(await axeViolations(page), [])
    await assertChineseUi(page, 'exchange jobs')
    await screenshot(page, '72-exchange-jobs')

    const notices = await server.api('GET', '/notifications?pageSize=50', { token })
    assert.ok(
      notices.body.items.some((n: { title: string }) => /连续三次运行失败/.test(n.title)),
      'the department admin is told',
    )

    await page.goto(`/exchange/runs?jobId=${feed.body.id}`)
    const runs = page.getByTestId('run-list')
    await runs.getByText('12,480').waitFor()
    const text = await runs.innerText()
    assert.match(text, /超过错误上限/)
    assert.match(text, /1\.8 MB/)
    assert.match(text, /校验[\s\S]*成功/)
    assert.equal(
      await runs
        .locator('.ant-tag')
        .filter({ hasText: /^失败$/ })
        .count(),
      3,
    )
    assert.deepEqual(await axeViolations(page), [])
    await assertChineseUi(page, 'exchange runs')
    await screenshot(page, '73-exchange-runs')
    assert.deepEqual(problems, [])
  })

  test('the authority sees every department’s nodes and jobs, read-only, filtered by department and status', async () => {
    const { page, problems } = authority
    await page.goto('/exchange/nodes')
    const row = page.getByTestId('node-list').locator('tr', { hasText: NODE })
    await row.getByText('潍坊市公安局').waitFor()
    assert.equal(await page.getByTestId('new-node').count(), 0, 'no registering')
    assert.equal(await page.getByRole('button', { name: '注销' }).count(), 0, 'no revoking')
    await page.getByTestId('node-status-filter').click()
    await page.getByTitle('离线').click()
    await page.getByTestId('node-list').getByText('没有前置机').waitFor()
    assert.deepEqual(await axeViolations(page), [])

    await page.goto('/exchange/jobs')
    await page.getByTestId('department-filter').click()
    await page.getByTitle('潍坊市公安局').click()
    const jobs = page.getByTestId('job-list')
    await jobs.getByText(NODE).waitFor()
    assert.equal(await page.getByRole('button', { name: '立即运行' }).count(), 0)
    assert.equal(await page.getByRole('button', { name: '调整参数' }).count(), 0)
    assert.ok((await jobs.getByRole('link', { name: '运行记录' }).count()) >= 1)
    assert.deepEqual(await axeViolations(page), [])
    await assertChineseUi(page, 'exchange jobs (authority)')
    await screenshot(page, '74-exchange-jobs-authority')

    await page.goto('/exchange/runs')
    await page.getByTestId('run-list').getByText(NODE).first().waitFor()
    assert.deepEqual(await axeViolations(page), [])
    assert.deepEqual(problems, [])
  })
})
