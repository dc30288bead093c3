import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { addDays, isWeekend } from './dates.ts'
import { seedOverrides } from './seed.ts'
import { addWorkdaysWith, deadlineWith, workdayLookup } from './working-days.ts'

const seeded = workdayLookup(new Map(seedOverrides().map((row) => [row.day, row.isWorkday])))

// The State Council's notices, typed in by hand so the seed package is checked, not trusted.
const SCHEDULES = {
  2025: {
    off: [
      ['01-01', '01-01'],
      ['01-28', '02-04'],
      ['04-04', '04-06'],
      ['05-01', '05-05'],
      ['05-31', '06-02'],
      ['10-01', '10-08'],
    ],
    makeUp: ['01-26', '02-08', '04-27', '09-28', '10-11'],
  },
  2026: {
    off: [
      ['01-01', '01-03'],
      ['02-15', '02-23'],
      ['04-04', '04-06'],
      ['05-01', '05-05'],
      ['06-19', '06-21'],
      ['09-25', '09-27'],
      ['10-01', '10-07'],
    ],
    makeUp: ['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'],
  },
} as const

describe('working-day calendar against the State Council schedules', () => {
  for (const [year, schedule] of Object.entries(SCHEDULES)) {
    test(`every day of ${year} has the status of the official notice`, () => {
      const off = new Set<string>()
      for (const [from, to] of schedule.off) for (let d = `${year}-${from}`; d <= `${year}-${to}`; d = addDays(d, 1)) off.add(d)
      const makeUp = new Set(schedule.makeUp.map((d) => `${year}-${d}`))
      for (let day = `${year}-01-01`; day <= `${year}-12-31`; day = addDays(day, 1)) {
        const expected = makeUp.has(day) || (!off.has(day) && !isWeekend(day))
        assert.equal(seeded(day), expected, `${day} should be a ${expected ? 'working' : 'rest'} day`)
      }
    })
  }

  test('add-workdays skips holidays and counts make-up weekend days', () => {
    const cases: [string, number, string][] = [
      ['2026-09-30', 1, '2026-10-08'], // National Day 10-1…10-7
      ['2026-09-18', 1, '2026-09-20'], // Sunday 9-20 is a make-up working day
      ['2026-09-24', 10, '2026-10-15'], // across Mid-Autumn + National Day, with make-up Saturday 10-10
      ['2026-02-13', 1, '2026-02-14'], // Saturday make-up before Spring Festival
      ['2026-02-14', 1, '2026-02-24'], // Spring Festival 2-15…2-23
      ['2026-02-13', 10, '2026-03-05'], // 2-14, 2-24…2-27, 2-28 (Sat), 3-2…3-5
      ['2025-09-30', 1, '2025-10-09'], // 2025 National Day + Mid-Autumn 10-1…10-8
      ['2025-09-26', 1, '2025-09-28'], // Sunday make-up
      ['2025-01-27', 1, '2025-02-05'], // 2025 Spring Festival 1-28…2-4
      ['2025-10-10', 1, '2025-10-11'], // Saturday make-up after National Day
      ['2026-03-02', 15, '2026-03-23'],
    ]
    for (const [from, days, due] of cases) assert.equal(addWorkdaysWith(seeded, from, days), due, `${from} + ${days} WD`)
  })

  test('the clock starts on the next working day after 17:30 or on a rest day', () => {
    // Monday 2026-03-02 (Beijing time)
    assert.equal(deadlineWith(seeded, new Date('2026-03-02T17:30:00+08:00'), 10).dueDate, '2026-03-16')
    assert.equal(deadlineWith(seeded, new Date('2026-03-02T17:31:00+08:00'), 10).dueDate, '2026-03-17')
    // Saturday 2026-03-07 → counted from Monday 3-09
    assert.equal(deadlineWith(seeded, new Date('2026-03-07T10:00:00+08:00'), 10).dueDate, '2026-03-23')
    // Wednesday 2026-09-30 evening: counted from 10-08; 10-09, 10-10 (make-up Saturday), 10-12 … 10-21
    assert.equal(deadlineWith(seeded, new Date('2026-09-30T18:00:00+08:00'), 10).dueDate, '2026-10-21')
    // Due at the end of the last day, Beijing time
    assert.equal(deadlineWith(seeded, new Date('2026-03-02T09:00:00+08:00'), 1).dueAt.toISOString(), '2026-03-03T15:59:59.000Z')
  })

  test('rejects a non-positive day count', () => {
    assert.throws(() => addWorkdaysWith(seeded, '2026-01-05', 0), RangeError)
  })
})

describe('calendar API', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('add-workdays answers the Nth working day after from', async () => {
    const res = await t.request('GET', '/api/v1/calendar/add-workdays?from=2026-09-30&days=1', { token: world.tokens.requester })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { due: '2026-10-08' })
  })

  test('add-workdays rejects bad input with the field named', async () => {
    for (const query of ['from=2026-02-30&days=1', 'from=2026-03-01&days=0', 'from=x&days=1', 'days=3', 'from=2026-03-01&days=abc']) {
      const res = await t.request('GET', `/api/v1/calendar/add-workdays?${query}`, { token: world.tokens.requester })
      assert.equal(res.status, 400, query)
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.ok(res.body.error.details.length > 0)
    }
  })

  test('a year lists every day with its note', async () => {
    const res = await t.request('GET', '/api/v1/calendar?year=2026', { token: world.tokens.requester })
    assert.equal(res.status, 200)
    assert.equal(res.body.days.length, 365)
    const day = (date: string) => res.body.days.find((d: { date: string }) => d.date === date)
    assert.deepEqual(day('2026-10-01'), { date: '2026-10-01', isWorkday: false, note: '国庆节' })
    assert.deepEqual(day('2026-10-10'), { date: '2026-10-10', isWorkday: true, note: '国庆节调休上班' })
    assert.equal(day('2026-03-03').isWorkday, true)
  })

  test('the system administrator edits a year the seed does not cover, and deadlines follow', async () => {
    // 2027-01-04 is a Monday; make it a holiday and the first working day after 2027-01-01 moves to 01-05.
    const before = await t.request('GET', '/api/v1/calendar/add-workdays?from=2027-01-01&days=1', { token: world.tokens.requester })
    assert.equal(before.body.due, '2027-01-04')
    const put = await t.request('PUT', '/api/v1/calendar/days/2027-01-04', { token: world.tokens.sysAdmin, body: { isWorkday: false, note: '元旦' } })
    assert.equal(put.status, 200)
    const afterEdit = await t.request('GET', '/api/v1/calendar/add-workdays?from=2027-01-01&days=1', { token: world.tokens.requester })
    assert.equal(afterEdit.body.due, '2027-01-05')
    const audit = await t.db.selectFrom('auditEvents').select('action').where('action', '=', 'calendar.day.update').execute()
    assert.equal(audit.length, 1)
  })

  test('only the system administrator edits the calendar', async () => {
    for (const role of ['authAdmin', 'requester', 'auditor'] as const) {
      const res = await t.request('PUT', '/api/v1/calendar/days/2027-02-01', { token: world.tokens[role], body: { isWorkday: false } })
      assert.equal(res.status, 403, role)
      assert.equal(res.body.error.code, 'FORBIDDEN')
    }
    const row = await t.db.selectFrom('workCalendar').selectAll().where('day', '=', '2027-02-01').executeTakeFirst()
    assert.equal(row, undefined)
  })
})
