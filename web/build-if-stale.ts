import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/**
 * Builds the web console when web/dist is missing or older than its sources (`npm start`, e2e).
 * Sources: web/ (without dist), the shared constants in common/, and the server files the console
 * imports at build time (module policy tables, catalog rules); types alone do not change the output.
 */
const ROOT = resolve(import.meta.dirname, '..')
const DIST_INDEX = join(ROOT, 'web/dist/index.html')

function newestMtime(path: string, skip: (p: string) => boolean = () => false): number {
  if (!existsSync(path) || skip(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = 0
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), skip))
  return newest
}

export function consoleIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true
  const built = statSync(DIST_INDEX).mtimeMs
  const modules = join(ROOT, 'server/src/modules')
  const sources = [
    newestMtime(join(ROOT, 'web'), (p) => p.endsWith('/web/dist') || p.includes('node_modules')),
    newestMtime(join(ROOT, 'common')),
    newestMtime(join(ROOT, 'package-lock.json')),
    newestMtime(join(modules, 'catalog/rules.ts')),
    // The policy tables web/src/auth/permissions.ts imports.
    ...['audit', 'calendar', 'catalog', 'identity', 'orgs'].map((m) => newestMtime(join(modules, m, 'policy.ts'))),
  ]
  return Math.max(...sources) > built
}

/** Runs `vite build` when needed; returns whether it built. Throws when the build fails. */
export function ensureConsoleBuilt(log: (line: string) => void = console.log): boolean {
  if (!consoleIsStale()) {
    log('web console is up to date (web/dist)')
    return false
  }
  log('building the web console (web/dist is missing or stale)…')
  const started = Date.now()
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`)
  log(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return true
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureConsoleBuilt()
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
