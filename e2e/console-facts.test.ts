import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Browser } from 'playwright-core'
import { qualifiedName } from '../server/src/modules/mounts/storage/managed-table.ts'
import { PROJECT_ROOT } from '../server/src/testing/template.ts'
import { type ConsolePage, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { axeViolations } from './support/axe.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

const HEX_FRAGMENT = /\b[0-9a-f]{8}\b/
const ACTION_CODE = /\b[a-z]+\.[a-z-]+\.[a-z_-]+\b/

describe('the console tells every role the right facts, in words', () => {
  let server: ConsoleServer
  let browser: Browser
  const sessions: ConsolePage[] = []
  const as = async (username: string) => {
    const session = await openConsole(browser, server.baseUrl)
    sessions.push(session)
    await login(session.page, username)
    return session
  }

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the authority sees the published entry, never a department’s unsubmitted draft, and a submitted next version beside it', async () => {
    // The demo's 户籍登记信息 has an unsubmitted 第2版 draft at 公安局.
    const { page, problems } = await as('authority')
    await page.goto('/catalog?q=户籍登记')
    const row = page.locator('.ant-table-row', { hasText: '户籍登记信息' }).first()
    await row.waitFor()
    await settled(page)
    assert.match(await row.innerText(), /已发布/)
    assert.doesNotMatch(await row.innerText(), /草稿/)
    await row.getByRole('link', { name: '户籍登记信息' }).click()
    await page.getByTestId('resource-facts').waitFor()
    assert.match(await page.getByTestId('resource-facts').innerText(), /已发布\s*第 1 版/)

    // 统计 counts what every department sees as published.
    const other = await server.tokenOf('mzj_user')
    const { body } = await server.api('GET', '/catalog/resources?status=published&pageSize=1', { token: other })
    await page.goto('/stats')
    await page.locator('.ant-statistic', { hasText: '已发布目录' }).getByText(String(body.total), { exact: true }).waitFor()

    // 公安局 submits a next version of a published entry: the authority still sees it published, with the pending version beside it.
    const cataloger = await server.tokenOf('gaj_cataloger')
    const found = await server.api('GET', `/catalog/resources?q=${encodeURIComponent('人口基础信息')}&mine=true`, { token: cataloger })
    const entry = found.body.items.find((r: { name: string }) => r.name === '人口基础信息')
    assert.ok(entry, 'the demo has 人口基础信息 at 公安局')
    const edited = await server.api('PATCH', `/catalog/resources/${entry.id}`, {
      token: cataloger,
      body: { abstract: `${entry.abstract}（补充户籍迁移信息口径说明）` },
    })
    assert.equal(edited.status, 200, JSON.stringify(edited.body))
    const submitted = await server.api('POST', `/catalog/resources/${entry.id}/submit`, { token: cataloger })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    await page.goto('/catalog?q=人口基础')
    const pendingRow = page.locator('.ant-table-row', { hasText: '人口基础信息' }).first()
    await pendingRow.getByTestId('pending-version').waitFor()
    assert.match(await pendingRow.innerText(), /已发布[\s\S]*第 2 版待审核/)
    await page.goto('/catalog-review')
    await page.locator('.ant-table-row', { hasText: '人口基础信息' }).first().getByRole('link').first().click()
    await page.getByText(/变更审核：第 2 版（待审核）对比第 1 版（已发布）/).waitFor()
    assert.deepEqual(problems, [])
  })

  test('the demo tells one story: submission times, history and deadlines agree; synthetic rows are plausible', async () => {
    const token = await server.tokenOf('authority')
    const { body } = await server.api('GET', '/share-requests?box=all&pageSize=50', { token })
    assert.ok(body.items.length >= 6)
    for (const r of body.items) {
      const submitted = new Date(r.createdAt)
      assert.ok(submitted.getTime() <= Date.now(), `${r.no} submitted in the future`)
      // SQyyyyMMdd: the number is given on the day of submission (Beijing time).
      const day = new Date(submitted.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '')
      assert.equal(r.no.slice(2, 10), day, `${r.no}: 提交时间 ${r.createdAt} is not the day of its number`)
      if (r.dueAt) assert.ok(new Date(r.dueAt) > submitted, `${r.no}: due before it was submitted`)
      if (r.status === 'pending') assert.ok(r.remainingWorkdays >= 0, `${r.no}: a pending request of the demo is already overdue`)
    }

    const { page, problems } = await as('mzj_user')
    // The 待补正 card: its clock is paused, so it is not overdue.
    const card = page.getByTestId('todo-need-info')
    await card.locator('.ant-table-row').first().waitFor()
    assert.match(await card.innerText(), /计时暂停/)
    assert.doesNotMatch(await card.locator('.ant-card-head').innerText(), /逾期/)

    // The request's page: 提交时间 is the first step of 办理过程.
    const mine = body.items.find((r: { status: string }) => r.status === 'need_more_info')
    await page.goto(`/share-requests/${mine.id}`)
    const submittedText = (await page.locator('.ant-descriptions-item', { hasText: '提交时间' }).locator('.ant-descriptions-item-content').innerText()).trim()
    await page.getByTestId('request-timeline').waitFor()
    assert.match(await page.getByTestId('request-timeline').innerText(), new RegExp(submittedText.replace(/[()]/g, '.')))
    assert.deepEqual(problems, [])

    // Synthetic 户籍 rows: a relation is a relation, a household type a type, no date after the upload.
    const db = server.database.db
    const mount = await db
      .selectFrom('mounts as m')
      .innerJoin('mountBatches as b', 'b.id', 'm.activeBatchId')
      .innerJoin('resourceVersions as v', (j) => j.onRef('v.resourceId', '=', 'm.resourceId').on('v.isPublished', '=', true))
      .select(['b.tableName', 'v.publishedAt'])
      .where('v.name', '=', '户籍登记信息')
      .executeTakeFirstOrThrow()
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(qualifiedName(mount.tableName))}`.execute(db)).rows
    assert.ok(rows.length > 0)
    for (const row of rows) {
      // Read through the application's Kysely, which names columns in camelCase.
      assert.match(String(row.relationToHead), /^(户主|配偶|子|女|父亲|母亲|孙子|孙女)$/)
      assert.match(String(row.householdType), /^(家庭户|集体户)$/)
      for (const value of Object.values(row)) {
        const day =
          value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null
        if (day) assert.ok(day <= new Date(mount.publishedAt!).toISOString().slice(0, 10), `a date after the upload: ${day}`)
      }
    }
  })

  test('the audit page says who did what to which object, in Chinese, and filters by name and by action label', async () => {
    // A refused attempt by a department user, so the auditor's workbench has a refusal to show.
    const refused = await server.api('POST', '/security/upstream-hosts', {
      token: await server.tokenOf('mzj_user'),
      body: { host: '10.9.9.9', port: null, note: '试探' },
    })
    assert.equal(refused.status, 403)

    const { page, problems } = await as('auditor')
    const denied = page.getByTestId('todo-denied')
    await denied.locator('.ant-table-row').first().waitFor()
    const deniedText = await denied.locator('.ant-table-tbody').innerText()
    assert.match(deniedText, /mzj_user/)
    assert.match(deniedText, /潍坊市民政局/)
    assert.doesNotMatch(deniedText, HEX_FRAGMENT)

    await page.goto('/audit')
    const events = page.getByTestId('audit-events')
    await events.locator('.ant-table-row').first().waitFor()
    await page.locator('#actor').fill('gaj_cataloger')
    await page.locator('.ant-select', { has: page.locator('#actionLabel') }).click()
    await page.keyboard.type('提交目录')
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option')
    await options.first().waitFor()
    const labels = await options.allInnerTexts()
    assert.deepEqual(labels, [...new Set(labels)], 'no duplicate action options')
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="提交目录审核"]').click()
    await page.getByRole('button', { name: /^查\s*询$/ }).click()
    await settled(page)
    const rows = events.locator('.ant-table-row')
    await rows.first().waitFor()
    const tableText = await events.locator('.ant-table-tbody').innerText()
    assert.doesNotMatch(tableText, HEX_FRAGMENT, 'no id fragments')
    assert.doesNotMatch(tableText, ACTION_CODE, 'no action codes')
    for (const row of await rows.all()) {
      const text = await row.innerText()
      // Name or account containing the text typed (gaj_cataloger, gms_gaj_cataloger, …), with its department.
      assert.match(text, /（[a-z_]*gaj_cataloger）/)
      assert.match(text, /公安局/)
      assert.match(text, /提交目录审核/)
    }
    // The object by name (a catalog entry of 公安局), the details as labelled fields.
    const firstObject = await rows.first().getByTestId('audit-object').innerText()
    assert.match(firstObject, /^目录 \S+信息/)
    await rows.first().locator('.ant-table-row-expand-icon').click()
    const expanded = page.locator('.ant-table-expanded-row').first()
    await expanded.waitFor()
    const detail = await expanded.innerText()
    assert.match(detail, /版本/)
    assert.doesNotMatch(detail, /[{}"]/, 'no raw JSON')
    await screenshot(page, '17-audit')
    assert.deepEqual(problems, [])
  })

  test('no raw codes: required fields are checked in the form, refusals, apps, items and formats are named', async () => {
    const admin = await as('admin')
    await admin.page.goto('/admin/users')
    await admin.page.getByTestId('users-table').locator('.ant-table-row').first().waitFor()
    await admin.page.getByTestId('new-user').click()
    const modal = admin.page.locator('.ant-modal:visible')
    let posted = 0
    admin.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/users')) posted++
    })
    await modal.locator('.ant-btn-primary').click()
    const errors = modal.locator('.ant-form-item-explain-error')
    await errors.first().waitFor()
    const messages = await errors.allInnerTexts()
    assert.ok(messages.includes('用户名不能为空'), messages.join(' / '))
    assert.ok(messages.includes('所属单位不能为空'), messages.join(' / '))
    for (const message of messages) assert.doesNotMatch(message, /无效输入|期望|undefined|格式不正确/)
    assert.equal(posted, 0, 'nothing sent before the required fields are filled')
    await admin.page.keyboard.press('Escape')

    const { page, problems } = await as('mzj_user')
    // 调用记录: a refused call says why in words.
    await page.goto('/gateway-calls')
    const calls = page.locator('.ant-table-tbody')
    await calls.locator('.ant-table-row').first().waitFor()
    await settled(page)
    const callText = await calls.innerText()
    assert.match(callText, /请求参数有误/)
    assert.doesNotMatch(callText, /[A-Z]{3,}_[A-Z_]+/)
    // 使用记录 names the app.
    await page.goto('/grants')
    await page.locator('.ant-table-row', { hasText: '人口基础信息' }).first().getByRole('link').first().click()
    const usage = page.getByTestId('usage')
    await usage.locator('.ant-table-row').first().waitFor()
    assert.match(await usage.innerText(), /最低生活保障核对系统/)
    assert.doesNotMatch(await usage.locator('.ant-table-tbody').innerText(), HEX_FRAGMENT)
    // A database format is written as the product is.
    await page.goto('/catalog?q=人口基础')
    await page.locator('.ant-table-row', { hasText: '人口基础信息' }).first().getByRole('link', { name: '人口基础信息' }).click()
    const facts = await page.getByTestId('resource-facts').innerText()
    assert.match(facts, /数据库 \/ Oracle/)
    assert.doesNotMatch(facts, /\boracle\b/)
    assert.deepEqual(problems, [])
  })

  test('personal data carries a visible watermark with the viewer’s name, department and time', async () => {
    const { page, problems } = await as('rsj_user')
    await page.goto('/gateway-calls')
    await page.locator('.ant-table-tbody').waitFor()
    const mark = page.getByTestId('watermark').first()
    await mark.waitFor()
    const text = await mark.getAttribute('data-watermark')
    assert.match(text ?? '', /潍坊市人力资源和社会保障局 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/)
    assert.ok(await mark.locator('.watermark-layer span').first().isVisible())

    // The sample rows of an 无条件共享 entry.
    const token = await server.tokenOf('rsj_user')
    const { body } = await server.api('GET', '/catalog/resources?status=published&shareType=1&shareMode=table&pageSize=20', { token })
    const entry = body.items.find((r: { providerName: string }) => r.providerName !== '潍坊市人力资源和社会保障局')
    await page.goto(`/catalog/${entry.id}`)
    await page.getByRole('tab', { name: '样例数据' }).click()
    const sample = page.getByTestId('sample-data').getByTestId('watermark')
    await sample.waitFor()
    assert.match((await sample.getAttribute('data-watermark')) ?? '', /人力资源和社会保障局/)
    await screenshot(page, '50-sample-watermark', { fullPage: false })
    assert.deepEqual(problems, [])
  })

  test('axe-core finds no critical or serious violation on the main pages', async () => {
    const pages: [string, string[]][] = [
      ['gaj_cataloger', ['/workbench', '/catalog', '/catalog-edit', '/mounts']],
      ['mzj_user', ['/share-requests', '/share-requests/new', '/grants', '/apps', '/gateway-calls', '/settings']],
      ['gaj_approver', ['/share-requests/incoming']],
      ['authority', ['/catalog-review', '/coordination', '/stats', '/share-requests/escalated']],
      ['auditor', ['/audit']],
      ['admin', ['/admin/users', '/admin/orgs', '/admin/calendar', '/admin/parameters']],
      ['secadmin', ['/admin/upstream-hosts']],
    ]
    const found: string[] = []
    for (const [username, paths] of pages) {
      const { page } = await as(username)
      for (const path of paths) {
        await page.goto(path)
        for (const violation of await axeViolations(page)) found.push(`${username} ${path}: ${violation}`)
      }
    }
    const login = await openConsole(browser, server.baseUrl)
    sessions.push(login)
    await login.page.goto('/login')
    for (const violation of await axeViolations(login.page)) found.push(`/login: ${violation}`)
    assert.deepEqual(found, [])
  })

  test('the first start says how far the demo load is; /api/health answers; the README gives the first tour', async () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
    assert.match(readme, /\/api\/health/)
    for (const user of ['gaj_cataloger', 'authority', 'mzj_user', 'gaj_approver', 'auditor']) assert.match(readme, new RegExp(`First tour[\\s\\S]*${user}`))

    const { page } = await as('auditor')
    const health = await page.goto('/api/health')
    assert.equal(health?.status(), 200)
    assert.match(await page.locator('body').innerText(), /"status":\s*"ok"/)

    const dataDir = mkdtempSync(join(tmpdir(), 'govshare-first-start-'))
    const port = String(20000 + Math.floor(Math.random() * 20000))
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, GOVSHARE_DATA_DIR: dataDir, PORT: port, GOVSHARE_AUDIT_CHECKPOINT_DIR: join(dataDir, 'checkpoints'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no catalog progress within 180 s:\n${output.slice(-2000)}`)), 180_000)
        const read = (chunk: Buffer) => {
          output += chunk.toString()
          // Progress with counts while the catalog loads (every 50 steps).
          if (/"step":"catalog","done":[1-9]\d*,"total":\d+/.test(output)) {
            clearTimeout(timer)
            resolve()
          }
        }
        child.stdout.on('data', read)
        child.stderr.on('data', read)
        child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output.slice(-2000)}`)))
      })
      assert.match(output, /"step":"directory","classNodes":\d+/)
    } finally {
      child.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
