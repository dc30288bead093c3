import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { TOTP_WINDOW, totpCode, totpStep } from '../server/src/platform/auth/totp.ts'
import { type ConsolePage, assertChineseUi, launchBrowser, login, openConsole, screenshot, settled } from './support/browser.ts'
import { DEMO_PASSWORD, type ConsoleServer, startConsoleServer } from './support/server.ts'

// A fixed test key: TOTP secrets are stored SM4-encrypted, so the server refuses TOTP without one.
const NEW_PASSWORD = 'Weifang#2027'

/** The code of the step after the current one: accepted (±1 step of drift) and newer than any step used so far. */
const nextCode = (secret: string) => totpCode(secret, new Date(Date.now() + 30_000))

/** A well-formed code that matches none of the accepted steps. */
function wrongCode(secret: string) {
  const now = totpStep(new Date())
  const valid = new Set<string>()
  for (let step = now - TOTP_WINDOW - 1; step <= now + TOTP_WINDOW + 1; step++) valid.add(totpCode(secret, new Date(step * 30_000)))
  for (let n = 0; ; n++) {
    const candidate = String(n * 111_111 + 123_456)
      .slice(-6)
      .padStart(6, '0')
    if (!valid.has(candidate)) return candidate
  }
}

const fieldError = (page: Page, testId: string) => page.locator('.ant-form-item', { has: page.getByTestId(testId) }).locator('.ant-form-item-explain-error')

async function openUserMenu(page: Page, item: 'menu-settings' | 'menu-logout') {
  await page.getByTestId('user-chip').hover()
  await page.getByTestId(item).click()
}

/** Binds TOTP on the page showing TotpSetup; returns the secret the page showed. */
async function bindTotp(page: Page, password: string) {
  await page.getByTestId('totp-password').fill(password)
  await page.getByTestId('totp-start').click()
  const secretText = await page.getByTestId('totp-secret').innerText()
  assert.match(secretText, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'the secret is shown in groups of four')
  assert.match(await page.getByTestId('totp-uri').innerText(), /^otpauth:\/\/totp\//)
  await page.locator('.ant-qrcode canvas').waitFor()
  const secret = secretText.replace(/\s/g, '')
  return secret
}

describe('account security: two-step verification and password change', () => {
  let server: ConsoleServer
  let browser: Browser
  let user: ConsolePage
  let secret = ''

  before(async () => {
    server = await startConsoleServer()
    browser = await launchBrowser()
    user = await openConsole(browser, server.baseUrl)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('a requester enables two-step verification on 个人设置', async () => {
    const { page } = user
    await login(page, 'mzj_user')
    await openUserMenu(page, 'menu-settings')
    await page.waitForURL('**/settings')
    await page.getByTestId('totp-status').waitFor()
    await settled(page)
    await assertChineseUi(page, 'settings')
    await screenshot(page, '32-settings')
    await page.getByTestId('totp-enable').click()
    // A wrong password is reported at the password field.
    await page.getByTestId('totp-password').fill('Wrong#Pass1')
    await page.getByTestId('totp-start').click()
    await fieldError(page, 'totp-password').filter({ hasText: '当前密码不正确' }).waitFor()
    secret = await bindTotp(page, DEMO_PASSWORD)
    await assertChineseUi(page, 'totp setup')
    await screenshot(page, '33-totp-setup')
    // A wrong first code is refused at the code field.
    await page.getByTestId('totp-code').fill(wrongCode(secret))
    await page.getByTestId('totp-confirm').click()
    await fieldError(page, 'totp-code').waitFor()
    await page.getByTestId('totp-code').fill(totpCode(secret, new Date()))
    await page.getByTestId('totp-confirm').click()
    await page.getByTestId('two-step-card').getByText('已启用').waitFor()
    assert.deepEqual(user.problems, [])
  })

  test('logging in again asks for the code: a wrong one is refused at the field, the right one gets in', async () => {
    const { page } = user
    await openUserMenu(page, 'menu-logout')
    await page.waitForURL(/\/login/)
    await page.locator('#username').fill('mzj_user')
    await page.locator('#password').fill(DEMO_PASSWORD)
    await page.locator('button[type=submit]').first().click()
    await page.getByTestId('totp-step').waitFor()
    await assertChineseUi(page, 'login code step')
    // The 两步验证已启用 toast of the settings page fades out first.
    await page.locator('.ant-message-notice').waitFor({ state: 'detached' })
    await screenshot(page, '34-login-totp')
    await page.getByTestId('totp-code').fill(wrongCode(secret))
    await page.getByTestId('totp-step').locator('button[type=submit]').click()
    const error = fieldError(page, 'totp-code')
    await error.waitFor()
    assert.match(await error.innerText(), /动态验证码错误/)
    await screenshot(page, '35-login-totp-error')
    await page.getByTestId('totp-code').fill(nextCode(secret))
    await page.getByTestId('totp-step').locator('button[type=submit]').click()
    await page.waitForURL('**/workbench')
    await page.getByText('您好，').waitFor()
    assert.deepEqual(user.problems, [])
  })

  test('the password is changed on 个人设置: API problems appear at their fields', async () => {
    const { page } = user
    await page.goto('/settings')
    await page.getByTestId('change-password').waitFor()
    await page.getByTestId('current-password').fill('Wrong#Pass1')
    await page.getByTestId('new-password').fill(NEW_PASSWORD)
    await page.getByTestId('repeat-password').fill(NEW_PASSWORD)
    await page.getByTestId('change-password').click()
    await fieldError(page, 'current-password').filter({ hasText: '当前密码不正确' }).waitFor()
    await page.getByTestId('current-password').fill(DEMO_PASSWORD)
    await page.getByTestId('new-password').fill('weakpass')
    await page.getByTestId('repeat-password').fill('weakpass')
    await page.getByTestId('change-password').click()
    const weak = fieldError(page, 'new-password')
    await weak.waitFor()
    assert.match(await weak.innerText(), /[\u4e00-\u9fff]/)
    await screenshot(page, '36-password-error')
    await page.getByTestId('new-password').fill(NEW_PASSWORD)
    await page.getByTestId('repeat-password').fill(NEW_PASSWORD)
    await page.getByTestId('change-password').click()
    await page.getByText('密码已修改').waitFor()
    // The new password is the one that works now (the server then asks for the code), the old one is refused.
    const old = await server.api('POST', '/auth/login', { body: { username: 'mzj_user', password: DEMO_PASSWORD } })
    assert.equal(old.body.error.code, 'INVALID_CREDENTIALS')
    const fresh = await server.api('POST', '/auth/login', { body: { username: 'mzj_user', password: NEW_PASSWORD } })
    assert.equal(fresh.body.error.code, 'TOTP_REQUIRED')
    assert.deepEqual(user.problems, [])
  })

  test('the system administrator resets a lost phone: the user logs in with the password alone', async () => {
    const admin = await openConsole(browser, server.baseUrl)
    await login(admin.page, 'admin')
    await admin.page.goto('/admin/users')
    await admin.page.getByPlaceholder('用户名或姓名').fill('mzj_user')
    await admin.page.getByPlaceholder('用户名或姓名').press('Enter')
    const row = admin.page.getByRole('row', { name: /mzj_user/ })
    await row.getByText('已启用').waitFor()
    await admin.page.getByTestId('reset-totp-mzj_user').click()
    await admin.page.getByRole('button', { name: '确认重置' }).click()
    await admin.page.getByText('已重置').waitFor()
    // The list reloads: no authenticator bound any more, so nothing left to reset.
    await row.getByText('未启用').waitFor()
    assert.equal(await admin.page.getByTestId('reset-totp-mzj_user').count(), 0)
    const login2 = await server.api('POST', '/auth/login', { body: { username: 'mzj_user', password: NEW_PASSWORD } })
    assert.equal(login2.status, 200)
    assert.deepEqual(admin.problems, [])
    await admin.context.close()
  })
})

describe('account security: an approver must bind TOTP before using the platform', () => {
  let server: ConsoleServer
  let browser: Browser

  before(async () => {
    server = await startConsoleServer({ env: { GOVSHARE_TOTP_REQUIRED: 'true' } })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  test('the login leads to 设置两步验证; after binding the workbench opens', async () => {
    const { page, problems, context } = await openConsole(browser, server.baseUrl)
    await page.goto('/login')
    await page.locator('#username').fill('gaj_approver')
    await page.locator('#password').fill(DEMO_PASSWORD)
    await page.locator('button[type=submit]').first().click()
    await page.waitForURL('**/totp-setup')
    // Any other page leads back here until TOTP is bound.
    await page.goto('/share-requests/incoming')
    await page.waitForURL('**/totp-setup')
    const secret = await bindTotp(page, DEMO_PASSWORD)
    await assertChineseUi(page, 'mandatory totp setup')
    await screenshot(page, '37-totp-required')
    await page.getByTestId('totp-code').fill(totpCode(secret, new Date()))
    await page.getByTestId('totp-confirm').click()
    await page.waitForURL('**/workbench')
    await page.getByText('您好，').waitFor()
    assert.deepEqual(problems, [])
    await context.close()
  })
})
