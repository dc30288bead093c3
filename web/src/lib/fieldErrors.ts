import type { FormInstance } from 'antd'
import type { FieldProblem } from '../api/client.ts'

/** `items[2].shareCondition` → `['items', 2, 'shareCondition']` (antd's NamePath). */
export function namePathOf(field: string): (string | number)[] {
  const path: (string | number)[] = []
  for (const part of field.split('.')) {
    const re = /([^[\]]+)|\[(\d+)\]/g
    let m: RegExpExecArray | null
    while ((m = re.exec(part))) path.push(m[2] !== undefined ? Number(m[2]) : m[1])
  }
  return path
}

/**
 * Puts the API's field problems on the form fields they name. Returns the problems no field of the
 * form matched (shown in a list above the form), so no message is ever lost.
 */
export function applyFieldErrors(form: FormInstance, details: readonly FieldProblem[], knownFields: (path: (string | number)[]) => boolean): FieldProblem[] {
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>()
  const unmatched: FieldProblem[] = []
  for (const detail of details) {
    const name = namePathOf(detail.field)
    if (!knownFields(name)) {
      unmatched.push(detail)
      continue
    }
    const key = JSON.stringify(name)
    const entry = byField.get(key) ?? { name, errors: [] }
    entry.errors.push(detail.message)
    byField.set(key, entry)
  }
  form.setFields([...byField.values()])
  const first = [...byField.values()][0]
  if (first) form.scrollToField(first.name, { block: 'center', behavior: 'smooth' })
  return unmatched
}
