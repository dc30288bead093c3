import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type XmlBounds, XmlBoundsError, XmlGuard } from './xml-guard.ts'

const BOUNDS: XmlBounds = { depth: 8, tagBytes: 200, textBytes: 50, recordBytes: 400, items: 5, records: 100 }

/** Scans `xml` cut into pieces of `size` bytes; returns the record count or the problem. */
function scan(xml: string, size: number, bounds: Partial<XmlBounds> = {}): number | string {
  const guard = new XmlGuard({ ...BOUNDS, ...bounds }, 'row', 'c')
  const bytes = Buffer.from(xml)
  try {
    for (let at = 0; at < bytes.length; at += size) guard.push(bytes.subarray(at, at + size))
    guard.end()
    return guard.records
  } catch (error) {
    if (error instanceof XmlBoundsError) return error.problem
    throw error
  }
}

const SHEET =
  '<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="urn:x"><!-- a > comment --><x:sheetData>' +
  '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" a=">/>"><x:v>潍坊市</x:v></x:c></x:row>' +
  '<x:row r="2"/><x:row r="3"><x:c><x:is><x:t><![CDATA[a<b>c]]></x:t></x:is></x:c></x:row>' +
  '</x:sheetData></x:worksheet>'

describe('XmlGuard: bounds measured while streaming', () => {
  test('a valid part reads the same however it is cut (quotes, comments, CDATA and prefixes included)', () => {
    for (let size = 1; size <= SHEET.length; size++) assert.equal(scan(SHEET, size), 3, `pieces of ${size}`)
  })

  test('each bound is found whichever piece it falls in', () => {
    const cases: [string, string][] = [
      ['<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', 'doctype'],
      [`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`, 'depth'],
      [`<a b="${'x'.repeat(300)}"/>`, 'tag'],
      [`<a>${'x'.repeat(51)}</a>`, 'text'],
      [`<a><![CDATA[${'x'.repeat(60)}]]></a>`, 'text'],
      [`<a><row>${'<v>1234567890</v>'.repeat(30)}</row></a>`, 'record'],
      [`<a><row>${'<c/>'.repeat(6)}</row></a>`, 'items'],
      [`<a>${'<row/>'.repeat(101)}</a>`, 'records'],
      ['<a><b></a>', 'malformed'],
      ['<a></a></a>', 'malformed'],
    ]
    for (const [xml, problem] of cases) {
      for (const size of [1, 3, 7, 64, 4096]) assert.equal(scan(xml, size), problem, `${problem} in pieces of ${size}`)
    }
  })

  test('a self-closing tag whose attribute holds "/>" does not hide nesting', () => {
    const xml = `${'<a b="/>">'.repeat(9)}${'</a>'.repeat(9)}`
    assert.equal(scan(xml, 5), 'depth')
  })
})
