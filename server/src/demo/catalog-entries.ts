import { BASIC_ENTRIES } from './catalog-basic.ts'
import { COUNTY_ENTRIES } from './catalog-counties.ts'
import { DEPARTMENT_ENTRIES } from './catalog-departments.ts'
import type { DemoEntry } from './items.ts'
import { THEME_ENTRIES } from './catalog-theme.ts'

/**
 * The whole demo catalog in the order it is built: the basic libraries first, then the themes,
 * the city departments and the counties, so publication dates follow how a city rolls out its catalog.
 */
export const DEMO_ENTRIES: readonly DemoEntry[] = [...BASIC_ENTRIES, ...THEME_ENTRIES, ...DEPARTMENT_ENTRIES, ...COUNTY_ENTRIES]
