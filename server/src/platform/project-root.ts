import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The checkout or install directory (the one holding package.json). Found by walking up rather than by a fixed
 * depth, because the same module runs from server/src under tsx and from dist/server/src once compiled.
 */
export function findProjectRoot(from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findProjectRoot(import.meta.dirname)
