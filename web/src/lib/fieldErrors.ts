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

// A schema's own wording ("无效输入：期望 string，实际接收 undefined") or an English type or value name.
const SCHEMA_JARGON = /无效输入|期望|实际接收|undefined|null|\b(string|number|boolean|object|array)\b/i

const isEmpty = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0)

/** The label the form shows for a field (its form item's label, or its table column's title), else 此项. */
export function fieldLabelOf(name: (string | number)[]): string {
  const id = name.join('_')
  const input = document.querySelector(`[id="${id}"], [id$="_${id}"]`)
  const item = input?.closest('.ant-form-item')
  const label = item?.querySelector('.ant-form-item-label label')?.textContent?.trim()
  if (label) return label.replace(/[:：]$/, '')
  const cell = input?.closest('td')
  const row = cell?.parentElement
  if (cell && row) {
    const header = cell.closest('table')?.querySelectorAll('thead th')[Array.prototype.indexOf.call(row.children, cell)]
    const title = header?.textContent?.trim()
    if (title) return title
  }
  return '此项'
}

// What a schema says about a value that is simply missing ("格式不正确" for a select left empty).
const VAGUE_WHEN_EMPTY = /格式|无效|应为/

/**
 * The message as the user should read it. The server's own Chinese reason is kept ("有条件共享的信息项须填写
 * 共享条件" says more than "共享条件不能为空"); only schema wording is replaced: by "<label>不能为空" on an empty
 * field (an unselected select is not "格式不正确"), else by a plea to check the field.
 */
export function userMessage(form: FormInstance, name: (string | number)[], message: string): string {
  const jargon = SCHEMA_JARGON.test(message)
  if (isEmpty(form.getFieldValue(name)) && (jargon || VAGUE_WHEN_EMPTY.test(message))) return `${fieldLabelOf(name)}不能为空`
  return jargon ? `${fieldLabelOf(name)}填写有误，请检查` : message
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
    entry.errors.push(userMessage(form, name, detail.message))
    byField.set(key, entry)
  }
  form.setFields([...byField.values()])
  const first = [...byField.values()][0]
  if (first) form.scrollToField(first.name, { block: 'center', behavior: 'smooth' })
  return unmatched
}

/** Checks the form's own rules (required fields) before any round trip; false when a field is marked. */
export const formValid = (form: FormInstance) =>
  form.validateFields().then(
    () => true,
    () => false,
  )
