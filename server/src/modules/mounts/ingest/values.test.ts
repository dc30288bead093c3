import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { type RawValue, type ValueSpec, parseValue } from './values.ts'

const value = (spec: ValueSpec, raw: RawValue) => {
  const parsed = parseValue(spec, raw)
  return parsed.ok ? parsed.value : `ERR ${parsed.error}`
}
const T = (dataType: ValueSpec['dataType'], length: number | null = null): ValueSpec => ({ dataType, length })

describe('cell values per data type (SPEC §5.3)', () => {
  test('empty cells are NULL, whatever the type', () => {
    for (const type of ['C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F'] as const) {
      assert.equal(value(T(type), ''), null)
      assert.equal(value(T(type), null), null)
      assert.equal(value(T(type), undefined), null)
    }
    assert.equal(value(T('C'), '   '), null)
  })

  test('C: trimmed, length counted in characters', () => {
    assert.equal(value(T('C', 4), ' 张三丰 '), '张三丰')
    assert.equal(value(T('C', 2), '𠀀𠀀'), '𠀀𠀀', 'astral characters count once')
    assert.match(value(T('C', 2), '张三丰')!, /^ERR 长度 3 超过 2 个字符/)
    assert.equal(value(T('C'), 12), '12')
    assert.equal(value(T('C'), new Date(Date.UTC(2024, 0, 5))), '2024-01-05')
    assert.match(value(T('C'), 'a\u0000b')!, /^ERR .*空字符/)
  })

  test('M and G keep the text as written', () => {
    assert.equal(value(T('M'), '  两行\n备注 '), '  两行\n备注 ')
    assert.equal(value(T('G'), 'aGVsbG8='), 'aGVsbG8=')
  })

  test('N, B, F: decimals with thousands separators and exponents; out-of-range refused', () => {
    assert.equal(value(T('N'), '1,234.5'), '1234.5')
    assert.equal(value(T('N'), '-1e3'), '-1e3')
    assert.equal(value(T('N'), 3.25), '3.25')
    assert.match(value(T('N'), '12a')!, /^ERR 「12a」不是数值/)
    assert.match(value(T('N'), '0x10')!, /^ERR/)
    assert.equal(value(T('B'), '1e308'), '1e308')
    assert.match(value(T('B'), '1e309')!, /^ERR .*超出双精度型范围/)
    assert.match(value(T('B'), '1e-400')!, /^ERR .*超出双精度型范围/)
    assert.equal(value(T('F'), '3.4e38'), '3.4e38')
    assert.match(value(T('F'), '3.5e38')!, /^ERR .*超出浮点型范围/)
    assert.match(value(T('F'), '1e-50')!, /^ERR .*超出浮点型范围/)
    assert.match(value(T('F'), 'NaN')!, /^ERR/)
  })

  test('Y: money with ¥ and separators, at most 16 integer digits', () => {
    assert.equal(value(T('Y'), '¥1,234.56'), '1234.56')
    assert.equal(value(T('Y'), '-￥3'), '-3')
    assert.equal(value(T('Y'), 0.1), '0.10')
    assert.equal(value(T('Y'), '9999999999999999.99'), '9999999999999999.99')
    assert.match(value(T('Y'), '12345678901234567')!, /^ERR .*超出货币型范围/)
    assert.match(value(T('Y'), '1e3')!, /^ERR .*不是金额/)
  })

  test('I: integers (bigint range), "12.0" accepted, fractions refused', () => {
    assert.equal(value(T('I'), '42'), '42')
    assert.equal(value(T('I'), '12.0'), '12')
    assert.equal(value(T('I'), '1,000'), '1000')
    assert.equal(value(T('I'), 7), '7')
    assert.equal(value(T('I'), '9223372036854775807'), '9223372036854775807')
    assert.match(value(T('I'), '9223372036854775808')!, /^ERR .*超出整型范围/)
    assert.match(value(T('I'), '1.5')!, /^ERR .*不是整数/)
    assert.match(value(T('I'), 1.5)!, /^ERR .*不是整数/)
  })

  test('D: YYYY-MM-DD, YYYY/MM/DD, 年月日, YYYYMMDD, Excel dates; impossible dates refused', () => {
    assert.equal(value(T('D'), '2024-01-05'), '2024-01-05')
    assert.equal(value(T('D'), '2024/1/5'), '2024-01-05')
    assert.equal(value(T('D'), '2024年1月5日'), '2024-01-05')
    assert.equal(value(T('D'), '20240105'), '2024-01-05')
    assert.equal(value(T('D'), '2024-01-05 00:00:00'), '2024-01-05')
    assert.equal(value(T('D'), new Date(Date.UTC(2024, 0, 5))), '2024-01-05')
    assert.equal(value(T('D'), 45296), '2024-01-05', 'Excel serial day number')
    assert.equal(value(T('D'), '2024-02-29'), '2024-02-29')
    assert.match(value(T('D'), '2023-02-29')!, /^ERR .*不是有效日期/)
    assert.match(value(T('D'), '2024-13-01')!, /^ERR .*不是有效日期/)
    assert.match(value(T('D'), '0000-01-01')!, /^ERR/)
    assert.match(value(T('D'), '05/01/2024')!, /^ERR .*YYYY-MM-DD/)
    assert.match(value(T('D'), '2024-01-05 10:00')!, /^ERR/)
  })

  test('T: date-times, naive = Beijing time, offsets converted to it', () => {
    assert.equal(value(T('T'), '2024-01-05 08:30:00'), '2024-01-05 08:30:00')
    assert.equal(value(T('T'), '2024/1/5 8:30'), '2024-01-05 08:30:00')
    assert.equal(value(T('T'), '2024-01-05T08:30:00.123'), '2024-01-05 08:30:00.123')
    assert.equal(value(T('T'), '2024-01-05'), '2024-01-05 00:00:00')
    assert.equal(value(T('T'), '2024-01-05T20:30:00Z'), '2024-01-06 04:30:00')
    assert.equal(value(T('T'), '2024-01-05T08:30:00+08:00'), '2024-01-05 08:30:00')
    assert.equal(value(T('T'), '2024-01-05T08:30:00-0500'), '2024-01-05 21:30:00')
    assert.equal(value(T('T'), new Date(Date.UTC(2024, 0, 5, 8, 30))), '2024-01-05 08:30:00')
    assert.equal(value(T('T'), 45296.5), '2024-01-05 12:00:00')
    assert.match(value(T('T'), '2024-01-05 24:00:00')!, /^ERR .*不是有效日期时间/)
    assert.match(value(T('T'), 'yesterday')!, /^ERR .*不是有效日期时间/)
  })

  test('L: 是/否, true/false, 1/0 (and booleans from Excel)', () => {
    for (const yes of ['是', 'true', 'TRUE', '1', 'Y']) assert.equal(value(T('L'), yes), 'true', yes)
    for (const no of ['否', 'false', '0', 'N']) assert.equal(value(T('L'), no), 'false', no)
    assert.equal(value(T('L'), true), 'true')
    assert.equal(value(T('L'), 0), 'false')
    assert.match(value(T('L'), '也许')!, /^ERR 「也许」不是逻辑值/)
  })

  test('the fast paths for canonical text accept and refuse exactly what the general parsers do', () => {
    const ok = (spec: ValueSpec, raw: string) => {
      const v = value(spec, raw)
      return v?.startsWith('ERR') ? 'ERR' : v
    }
    const digits = (min: number, max: number) => fc.integer({ min, max }).map(String)
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'))
    fc.assert(
      fc.property(digits(1000, 9999), two(19), two(39), two(29), two(69), two(69), (y, mo, d, h, mi, sec) => {
        // 2026-01-05 takes the fast path, 2026/01/05 the general one; both give the canonical text.
        assert.equal(ok(T('D'), `${y}-${mo}-${d}`), ok(T('D'), `${y}/${mo}/${d}`))
        assert.equal(ok(T('T'), `${y}-${mo}-${d} ${h}:${mi}:${sec}`), ok(T('T'), `${y}/${mo}/${d} ${h}:${mi}:${sec}`))
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom('', '+', '00'), (n, prefix) => {
        const text = n < 0n ? `-${prefix}${-n}` : `${prefix}${n}`
        // "…​.0" is read by the general integer parser; "¥…" by the general currency parser.
        assert.equal(ok(T('I'), text), ok(T('I'), `${text}.0`))
        assert.equal(ok(T('Y'), `${text}.5`), ok(T('Y'), `¥${text}.5`))
      }),
      { numRuns: 1000 },
    )
  })
})
