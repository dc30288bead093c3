import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { assertChineseUi, launchBrowser, login, menuOf, openConsole, screenshot, settled } from './support/browser.ts'
import { type ConsoleServer, startConsoleServer } from './support/server.ts'

/**
 * Each demo role sees exactly the menus its policies allow (server/src/modules/* /policy.ts):
 * 资源目录 and 统计 read the catalog search, which every logged-in user may use; 目录编制 and
 * 资源挂接 need catalog.resource.create / mounts.table.upload (CATALOGER), 目录审核
 * catalog.resource.review (AUTH_ADMIN), 审计 audit.event.list (AUDITOR). In 共享申请:
 * 我的申请 sharing.request.create (REQUESTER), 待我审批 sharing.request.decide (APPROVER), 逾期督办
 * sharing.request.authority-decide (AUTH_ADMIN), 本单位申请 sharing.request.list for DEPT_ADMIN (the one
 * role that lists requests without applying or deciding), 协调案件 sharing.case.list. In 授权与应用: 数据授权
 * sharing.grant.list, 调用应用 gateway.app.list (REQUESTER, DEPT_ADMIN), 调用记录 gateway.call.list.
 * 系统管理 holds 单位管理 (SYS_ADMIN), 用户与角色 (SYS_ADMIN, DEPT_ADMIN), 工作日历 and 参数设置 (SYS_ADMIN).
 */
const ROLE_MENUS: { username: string; role: string; top: string[]; groups: Record<string, string[]>; shot?: string }[] = [
  {
    username: 'admin',
    role: 'SYS_ADMIN',
    top: ['工作台', '资源目录', '站内消息', '统计', '系统管理'],
    groups: { 系统管理: ['单位管理', '用户与角色', '工作日历', '参数设置'] },
    shot: '02-workbench-sys-admin',
  },
  {
    username: 'authority',
    role: 'AUTH_ADMIN',
    top: ['工作台', '资源目录', '目录审核', '共享申请', '监督管理', '授权与应用', '数据交换', '考核评估', '站内消息', '统计', '系统管理'],
    groups: {
      共享申请: ['逾期督办', '协调案件'],
      监督管理: ['数据异议', '供需对接', '一数一源'],
      授权与应用: ['数据授权', '调用记录'],
      数据交换: ['前置机', '交换任务', '运行记录'],
      系统管理: ['分类牵头部门', '检索同义词'],
    },
    shot: '03-workbench-authority',
  },
  {
    username: 'auditor',
    role: 'AUDITOR',
    top: ['工作台', '资源目录', '授权与应用', '站内消息', '统计', '审计'],
    groups: { 授权与应用: ['调用记录'] },
    shot: '04-workbench-auditor',
  },
  {
    username: 'secadmin',
    role: 'SEC_ADMIN',
    top: ['工作台', '资源目录', '站内消息', '统计', '审计', '系统管理'],
    groups: { 系统管理: ['用户与角色', '上游接口白名单'] },
  },
  {
    username: 'gaj_cataloger',
    role: 'CATALOGER',
    top: ['工作台', '资源目录', '目录编制', '资源挂接', '监督管理', '站内消息', '统计'],
    groups: { 监督管理: ['数据异议', '供需对接', '一数一源'] },
    shot: '05-workbench-cataloger',
  },
  {
    username: 'gaj_approver',
    role: 'APPROVER',
    top: ['工作台', '资源目录', '共享申请', '监督管理', '授权与应用', '站内消息', '统计'],
    groups: { 共享申请: ['待我审批', '协调案件'], 监督管理: ['数据异议', '供需对接', '一数一源'], 授权与应用: ['数据授权', '调用记录'] },
    shot: '06-workbench-approver',
  },
  {
    username: 'gaj_admin',
    role: 'DEPT_ADMIN',
    top: ['工作台', '资源目录', '共享申请', '监督管理', '授权与应用', '数据交换', '考核评估', '站内消息', '统计', '系统管理'],
    groups: {
      共享申请: ['本单位申请', '协调案件'],
      监督管理: ['数据异议', '供需对接', '一数一源'],
      授权与应用: ['数据授权', '调用应用', '调用记录'],
      数据交换: ['前置机', '交换任务', '运行记录'],
      系统管理: ['用户与角色'],
    },
  },
  {
    username: 'mzj_user',
    role: 'REQUESTER',
    top: ['工作台', '资源目录', '共享申请', '监督管理', '授权与应用', '站内消息', '统计'],
    groups: { 共享申请: ['我的申请', '协调案件'], 监督管理: ['数据异议', '供需对接', '一数一源'], 授权与应用: ['数据授权', '调用应用', '调用记录'] },
    shot: '07-workbench-requester',
  },
]

/** Pages a role must not open, even by typing the address: a 403 page, not a blank one. */
const FORBIDDEN_PAGES: Record<string, string[]> = {
  admin: ['/catalog-edit', '/catalog-review', '/audit', '/mounts', '/share-requests', '/grants', '/apps'],
  auditor: ['/catalog-edit', '/admin/users', '/share-requests/incoming', '/apps'],
  mzj_user: [
    '/catalog-edit/new',
    '/catalog-review',
    '/audit',
    '/admin/calendar',
    '/mounts',
    '/share-requests/incoming',
    '/share-requests/escalated',
    '/share-requests/org',
  ],
  gaj_admin: ['/admin/orgs', '/admin/calendar', '/share-requests/new'],
  gaj_approver: ['/share-requests', '/apps', '/mounts', '/share-requests/org'],
  gaj_cataloger: ['/share-requests/incoming', '/grants', '/gateway-calls'],
}

describe('roles: menus and workbench per role', () => {
  let server: ConsoleServer
  let browser: Browser

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the login page is Chinese and a wrong password shows the server message', async () => {
    const { page, context, problems } = await openConsole(browser, server.baseUrl)
    await page.goto('/workbench')
    await page.waitForURL(/\/login/)
    await page.getByText('潍坊市政务数据共享交换平台').waitFor()
    await screenshot(page, '01-login')
    await assertChineseUi(page, 'login')
    await page.locator('#username').fill('admin')
    await page.locator('#password').fill('wrong-password')
    await page.locator('button[type=submit]').click()
    const error = page.getByTestId('login-error')
    await error.waitFor()
    assert.match(await error.innerText(), /[\u4e00-\u9fff]/, 'the refusal is explained in Chinese')
    assert.deepEqual(problems, [])
    await context.close()
  })

  for (const expected of ROLE_MENUS) {
    test(`${expected.role} (${expected.username}) sees only its menus`, async () => {
      const { page, context, problems } = await openConsole(browser, server.baseUrl)
      await login(page, expected.username)
      const menu = await menuOf(page)
      assert.deepEqual(menu.top, expected.top, `${expected.username} top-level menu`)
      assert.deepEqual(menu.groups, expected.groups, `${expected.username} menu groups`)
      await settled(page)
      await assertChineseUi(page, `workbench of ${expected.username}`)
      if (expected.shot) await screenshot(page, expected.shot)
      for (const path of FORBIDDEN_PAGES[expected.username] ?? []) {
        await page.goto(path)
        await page.getByText('无权访问').waitFor()
      }
      assert.deepEqual(problems, [], `browser problems for ${expected.username}`)
      await context.close()
    })
  }

  test('the authority workbench lists pending reviews with working-day countdowns', async () => {
    const { page, context } = await openConsole(browser, server.baseUrl)
    await login(page, 'authority')
    const card = page.getByTestId('todo-reviews')
    await card.locator('.ant-table-row').first().waitFor()
    const countdowns = await card.getByTestId('countdown').allInnerTexts()
    assert.ok(countdowns.length > 0, 'pending reviews show a countdown')
    for (const text of countdowns) assert.match(text, /^(剩余 \d+ 个工作日|今日到期|已逾期( \d+ 个工作日)?)$/)
    await context.close()
  })

  test('the approver and the authority see share-request to-dos with deadlines', async () => {
    const { page, context, problems } = await openConsole(browser, server.baseUrl)
    await login(page, 'authority')
    const escalated = page.getByTestId('todo-escalated')
    await escalated.locator('.ant-table-row').first().waitFor()
    assert.match(await escalated.innerText(), /逾期/)
    await page.goto('/share-requests/escalated')
    await page.getByTestId('request-list').locator('.ant-table-row').first().waitFor()
    await assertChineseUi(page, 'escalated requests')
    await screenshot(page, '24-escalated-requests')
    await page.goto('/coordination')
    await page.getByTestId('case-list').locator('.ant-table-row').first().waitFor()
    await page.getByTestId('case-list').locator('.ant-table-row a').first().click()
    await page.getByTestId('case-notes').waitFor()
    await assertChineseUi(page, 'coordination case')
    await screenshot(page, '25-coordination-case')
    assert.deepEqual(problems, [])
    await context.close()
  })
})
