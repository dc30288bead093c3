import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core'
import { PROJECT_ROOT } from '../../server/src/testing/template.ts'
import { DEMO_PASSWORD } from './server.ts'

export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'docs/screenshots')

/**
 * Debian's chromium (STACK.md §7). Playwright adds `--headless` and `--no-sandbox` itself and starts
 * every launch on a fresh temporary `--user-data-dir` (it refuses one in `args`).
 */
export const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS })
}

export interface ConsolePage {
  context: BrowserContext
  page: Page
  /** Console errors, uncaught exceptions and 5xx answers seen so far. */
  problems: string[]
}

/** A new browser session (own storage, so own login) in Beijing time and Chinese locale. */
export async function openConsole(browser: Browser, baseUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  })
  const page = await context.newPage()
  // Generous: the 2-core CI machine also runs the other suites; a slow answer is not a failure.
  page.setDefaultTimeout(30_000)
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    // 4xx answers the page handles (validation, a refused import) are logged by the browser as resource errors.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`)
  })
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} ${response.url()}`)
  })
  // Requests in flight, so `settled` also works after client-side navigation (no load event then).
  const inFlight = new Set<unknown>()
  page.on('request', (request) => inFlight.add(request))
  page.on('requestfinished', (request) => inFlight.delete(request))
  page.on('requestfailed', (request) => inFlight.delete(request))
  pending.set(page, inFlight)
  return { context, page, problems }
}

const pending = new WeakMap<Page, Set<unknown>>()

/** Resolves once no request has been in flight for `quietMs`. */
async function networkQuiet(page: Page, quietMs = 300, timeoutMs = 15_000) {
  const inFlight = pending.get(page)
  if (!inFlight) return page.waitForLoadState('networkidle')
  const deadline = Date.now() + timeoutMs
  let quietSince = Date.now()
  while (Date.now() < deadline) {
    if (inFlight.size > 0) quietSince = Date.now()
    else if (Date.now() - quietSince >= quietMs) return
    await page.waitForTimeout(50)
  }
  throw new Error(`network still busy after ${timeoutMs} ms`)
}

export async function login(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.locator('button[type=submit]').click()
  await page.waitForURL('**/workbench')
  await page.getByText('您好，').waitFor()
}

/** Waits until no antd spinner or skeleton is showing (data loaded, lazy chunk rendered). */
export async function settled(page: Page) {
  await page.waitForLoadState('load')
  await networkQuiet(page)
  await page.waitForFunction(() => document.querySelectorAll('.ant-spin-spinning, .ant-skeleton-active').length === 0, undefined, { timeout: 15_000 })
}

/**
 * Saves docs/screenshots/<name>.png (overwritten on every run). A full-page shot grows the viewport
 * to the page's height first, so sticky parts (menu, header, the form's action bar) sit where a
 * reader expects them instead of where the viewport happened to end.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await settled(page)
  // Let charts finish their entry animation and tooltips disappear.
  await page.mouse.move(0, 0)
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  const viewport = page.viewportSize() ?? { width: 1440, height: 900 }
  if (!(options.fullPage ?? true)) {
    await page.waitForTimeout(400)
    await page.screenshot({ path })
    return
  }
  await page.evaluate(() => window.scrollTo(0, 0))
  const height = await page.evaluate(() => Math.ceil(document.documentElement.scrollHeight))
  await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 6000) })
  await page.waitForTimeout(500)
  try {
    await page.screenshot({ path })
  } finally {
    await page.setViewportSize(viewport)
  }
}

// antd's English defaults and common English UI words: if one shows up, a locale or label is missing.
const ENGLISH_UI =
  /\b(No data|Start date|End date|Select date|Cancel|OK|Search|Loading|items\/page|Go to|Page|Total|Expand|Collapse|Reset|Confirm|Submit|Upload|Delete|Edit|Save|Close|Back|Previous|Next|Today|Now|Error|Warning|Success|Please|Select)\b/

/** Fails when the visible text of the page contains English UI words (usernames and codes are fine). */
export async function assertChineseUi(page: Page, where: string) {
  const text = await page.locator('body').innerText()
  const match = ENGLISH_UI.exec(text)
  assert.equal(match, null, `${where}: English UI text "${match?.[0]}" near: ${text.slice(Math.max(0, (match?.index ?? 0) - 60), (match?.index ?? 0) + 60)}`)
}

/** The menu entries the user sees: top-level labels, and the labels inside each group (by the group's label). */
export async function menuOf(page: Page): Promise<{ top: string[]; groups: Record<string, string[]> }> {
  const menu = page.getByTestId('main-menu')
  await menu.waitFor()
  const clean = (texts: string[]) => texts.map((t) => t.replace(/\s+/g, '')).filter(Boolean)
  const top = clean(await menu.locator(':scope > li.ant-menu-item, :scope > li.ant-menu-submenu > .ant-menu-submenu-title').allInnerTexts())
  const groups: Record<string, string[]> = {}
  for (const group of await menu.locator(':scope > li.ant-menu-submenu').all()) {
    const [label] = clean([await group.locator(':scope > .ant-menu-submenu-title').innerText()])
    groups[label] = clean(await group.locator('.ant-menu-sub li.ant-menu-item').allInnerTexts())
  }
  return { top, groups }
}

/**
 * Sets a checkbox or radio inside an antd modal. The modal's form mounts during the opening
 * animation, so a click can land on an instance that is replaced; retry until the state holds.
 */
export async function setChecked(page: Page, target: Locator, checked: boolean) {
  for (let attempt = 0; attempt < 5 && (await target.isChecked()) !== checked; attempt++) {
    await target.click()
    await page.waitForTimeout(200)
  }
  assert.equal(await target.isChecked(), checked, `could not ${checked ? 'check' : 'uncheck'} ${target}`)
}
