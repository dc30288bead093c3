import { existsSync, statSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { PROJECT_ROOT } from '../project-root.ts'

/** Where `npm run build` (vite, web/vite.config.ts) writes the console. */
export const WEB_DIST_DIR = join(PROJECT_ROOT, 'web/dist')

export interface WebConsoleOptions {
  /** Built console directory (tests point it elsewhere). */
  distDir?: string
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>GovShare 政务数据共享交换平台</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f1f1f;line-height:1.7}code{background:#f5f5f5;padding:.1rem .4rem;border-radius:4px}</style>
</head>
<body>
<h1>管理控制台尚未构建</h1>
<p>服务已启动，接口可正常使用（<a href="/api/docs">接口文档</a>），但网页控制台还没有构建。</p>
<p>请在项目目录执行 <code>npm run build</code> 后刷新本页；<code>npm start</code> 也会在启动前自动构建。</p>
</body>
</html>
`

// Vite puts content-hashed files under assets/: they never change, so browsers may keep them.
const HASHED_ASSET = /^assets\//
// Client-side routes never end in a file extension; a missing `x.js` or `favicon.ico` is a 404.
const LOOKS_LIKE_FILE = /\/[^/]*\.[A-Za-z0-9]{1,8}$/

/**
 * Serves the built web console (web/dist) at `/`, with an SPA fallback: a GET for a path that is
 * not a file answers index.html so client-side routes survive a reload. `/api/*` paths never fall
 * back: unknown API paths still get the JSON 404 envelope from the not-found handler.
 */
export const webConsolePlugin = fp(
  async (app: FastifyInstance, options: WebConsoleOptions) => {
    const distDir = resolve(options.distDir ?? WEB_DIST_DIR)
    // Encapsulated, so the reply.sendFile decorator stays private to these routes and another
    // module may register @fastify/static for its own files.
    await app.register(async (scope) => {
      // Only sendFile is used; the routes are ours, so each can be declared public.
      // preCompressed: the build writes .gz next to JS/CSS/HTML, sent to browsers that accept gzip.
      await scope.register(fastifyStatic, { root: distDir, serve: false, preCompressed: true, suppressWarning: true })
      registerRoutes(scope, distDir)
    })
  },
  { name: 'web-console', dependencies: ['error-handler', 'auth'] },
)

function registerRoutes(app: FastifyInstance, distDir: string) {
  const indexFile = join(distDir, 'index.html')

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(indexFile)) return reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE)
    // index.html names the current asset hashes: always revalidate it.
    reply.header('cache-control', 'no-cache')
    return reply.sendFile('index.html', distDir, { cacheControl: false })
  }

  /** The dist-relative file a URL path names, or null when it is not a regular file inside distDir. */
  const fileOf = (urlPath: string): string | null => {
    let decoded: string
    try {
      decoded = decodeURIComponent(urlPath)
    } catch {
      return null
    }
    const relative = decoded.replace(/^\/+/, '')
    if (!relative || relative.includes('\0')) return null
    const absolute = resolve(distDir, relative)
    if (!absolute.startsWith(distDir + sep)) return null
    try {
      // The normalised path: @fastify/static refuses non-canonical forms such as `a//b` or `./a`.
      return statSync(absolute).isFile()
        ? absolute
            .slice(distDir.length + 1)
            .split(sep)
            .join('/')
        : null
    } catch {
      return null
    }
  }

  app.get('/', { config: { public: true }, schema: { hide: true } }, (_request, reply) => sendIndex(reply))

  app.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0]
    if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound()
    const file = fileOf(path)
    if (!file) {
      // A missing asset (e.g. a stale page asking for an old build's hashed file) is a 404, not index.html.
      if (HASHED_ASSET.test(path.replace(/^\/+/, '')) || LOOKS_LIKE_FILE.test(path)) return reply.callNotFound()
      return sendIndex(reply)
    }
    if (file === 'index.html') return sendIndex(reply)
    return HASHED_ASSET.test(file) ? reply.sendFile(file, distDir, { maxAge: '365d', immutable: true }) : reply.sendFile(file, distDir, { maxAge: 0 })
  })
}
