import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../platform/project-root.ts'

/**
 * Module boundaries (STYLE.md §1): no import cycles between modules, and other code reaches a module
 * through its index.ts only. Read from the sources, so a new import that crosses a boundary fails here.
 */
const MODULES_DIR = join(PROJECT_ROOT, 'server/src/modules')
const DEMO_DIR = join(PROJECT_ROOT, 'server/src/demo')

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) sourceFiles(path, found)
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path)
  }
  return found
}

/** Every relative import of a file that lands in a module: [module, path inside the module]. */
function moduleImports(file: string): { module: string; path: string }[] {
  const imports: { module: string; path: string }[] = []
  for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(MODULES_DIR, resolve(dirname(file), match[1]))
    if (target.startsWith('..')) continue
    const [module, ...rest] = target.split('/')
    imports.push({ module, path: rest.join('/') })
  }
  return imports
}

const moduleOf = (file: string) => relative(MODULES_DIR, file).split('/')[0]

// Imports past index.ts that the gateway, mounts and audit call-log restructuring is to remove.
const KNOWN_EXCEPTIONS = new Set([
  'audit/service.ts -> gateway/call-seal.ts',
  'mounts/test-helpers.ts -> catalog/schemas.ts',
  'demo/synthetic-data.ts -> mounts/service.ts',
  'demo/sharing-demo.ts -> gateway/apps.ts',
  'demo/sharing-demo.ts -> gateway/records.ts',
  'demo/sharing-demo.ts -> gateway/runtime.ts',
])

test('modules import each other without cycles', () => {
  const graph = new Map<string, Set<string>>()
  for (const file of sourceFiles(MODULES_DIR)) {
    const from = moduleOf(file)
    if (!graph.has(from)) graph.set(from, new Set())
    for (const { module } of moduleImports(file)) if (module !== from) graph.get(from)!.add(module)
  }
  assert.ok(graph.size >= 8, `only ${graph.size} modules found`)
  assert.ok(!graph.get('catalog')?.has('mounts'), 'the catalog must not import the mounts module (mounts depends on the catalog)')
  // Depth-first search; a grey node met again closes a cycle.
  const state = new Map<string, 'grey' | 'black'>()
  const cycles: string[] = []
  const visit = (node: string, path: string[]) => {
    state.set(node, 'grey')
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'grey') cycles.push([...path.slice(path.indexOf(next)), node, next].join(' → '))
      else if (!state.has(next)) visit(next, [...path, node])
    }
    state.set(node, 'black')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node, [])
  assert.deepEqual(cycles, [])
})

test('other modules and the demo loader reach a module through its index.ts', () => {
  const crossings: string[] = []
  for (const file of [...sourceFiles(MODULES_DIR), ...sourceFiles(DEMO_DIR)]) {
    const from = file.startsWith(DEMO_DIR) ? 'demo' : moduleOf(file)
    for (const { module, path } of moduleImports(file)) {
      if (module === from || path === 'index.ts') continue
      const crossing = `${relative(file.startsWith(DEMO_DIR) ? dirname(DEMO_DIR) : MODULES_DIR, file)} -> ${module}/${path}`
      if (!KNOWN_EXCEPTIONS.has(crossing)) crossings.push(crossing)
    }
  }
  assert.deepEqual(crossings, [])
})
