/** Input limits shared by server validation and console forms. */
export const LIMITS = {
  resourceName: 100,
  abstract: 256,
  itemName: 100,
  longText: 2000,
  shortText: 200,
  itemsPerResource: 500,
  searchTerm: 50,
  pageSizeMax: 200,
  importRows: 5000,
  appsPerRequest: 20,
} as const
