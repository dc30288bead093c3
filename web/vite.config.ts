import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { type Plugin, defineConfig } from 'vite'

const webRoot = fileURLToPath(new URL('.', import.meta.url))
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

/**
 * Writes `x.gz` next to every JS/CSS/HTML/SVG output, so the server (@fastify/static preCompressed)
 * sends browsers exactly the gzip sizes measured here without compressing per request. Then reports
 * the initial load: the entry chunk and everything it imports statically (lazy pages excluded),
 * printed and saved as dist/size-report.json (web/README.md records the numbers).
 */
function precompressAndReport(): Plugin {
  let outDir = ''
  return {
    name: 'govshare-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    writeBundle(_options, bundle) {
      const gzipped = new Map<string, { raw: number; gzip: number }>()
      const files = new Set([...Object.keys(bundle), 'index.html'].filter((f) => /\.(js|css|html|svg)$/.test(f)))
      for (const file of files) {
        const path = join(outDir, file)
        try {
          const data = readFileSync(path)
          const gz = gzipSync(data, { level: 9 })
          writeFileSync(`${path}.gz`, gz)
          gzipped.set(file, { raw: data.length, gzip: gz.length })
        } catch {
          // a file not written by this build step
        }
      }
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry)
      if (!entry || entry.type !== 'chunk') return
      /** A chunk and everything it imports statically (what loading it fetches), plus its CSS. */
      const closure = (start: string) => {
        const js = new Set<string>()
        const css = new Set<string>()
        const walk = (name: string) => {
          if (js.has(name)) return
          js.add(name)
          const chunk = bundle[name]
          if (chunk?.type !== 'chunk') return
          for (const c of (chunk as { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? []) css.add(c)
          chunk.imports.forEach(walk)
        }
        walk(start)
        return { js, css }
      }
      const { js: initial, css } = closure(entry.fileName)
      const sum = (names: Iterable<string>, key: 'raw' | 'gzip') => [...names].reduce((n, f) => n + (gzipped.get(f)?.[key] ?? 0), 0)
      const allJs = [...gzipped.keys()].filter((f) => f.endsWith('.js'))
      const report = {
        initialJs: { files: [...initial], raw: sum(initial, 'raw'), gzip: sum(initial, 'gzip') },
        initialCss: { files: [...css], raw: sum(css, 'raw'), gzip: sum(css, 'gzip') },
        allJs: { files: allJs.length, raw: sum(allJs, 'raw'), gzip: sum(allJs, 'gzip') },
        // Each lazy page: the JS it adds on top of the initial load when first opened.
        pages: Object.fromEntries(
          Object.values(bundle)
            .filter((c) => c.type === 'chunk' && c.isDynamicEntry)
            .map((c) => {
              const extra = [...closure(c.fileName).js].filter((f) => !initial.has(f))
              return [(c as { name: string }).name, { files: extra.length, gzip: sum(extra, 'gzip') }] as const
            })
            .sort((a, b) => a[0].localeCompare(b[0])),
        ),
        chunks: Object.fromEntries([...gzipped].filter(([f]) => f.endsWith('.js')).sort((a, b) => b[1].gzip - a[1].gzip)),
      }
      writeFileSync(join(outDir, 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`)
      const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`
      console.log(
        `\n[govshare] initial JS (entry + static imports, ${initial.size} files): ${kb(report.initialJs.raw)} raw, ${kb(report.initialJs.gzip)} gzip` +
          ` — budget 400 kB gzip; all JS ${kb(report.allJs.gzip)} gzip in ${allJs.length} chunks`,
      )
    },
  }
}

// `npm run build` → web/dist (served at / by server/src/platform/http/web-console.ts);
// `npm run dev:web` → dev server with /api proxied to the API on :3000.
export default defineConfig({
  root: webRoot,
  plugins: [react(), precompressAndReport()],
  build: {
    outDir: join(webRoot, 'dist'),
    emptyOutDir: true,
    // Every page is a lazy chunk; antd's shared pieces land in their own chunks.
    chunkSizeWarningLimit: 700,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:3000' },
    // The console imports shared constants from ../common and types/policies from ../server.
    fs: { allow: [repoRoot] },
  },
  preview: { proxy: { '/api': 'http://127.0.0.1:3000' } },
})
