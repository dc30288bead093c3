import type { z } from 'zod'
import type { ParameterOut } from '../../../server/src/modules/parameters/schemas.ts'
import { api } from './client.ts'

export type Parameter = z.infer<typeof ParameterOut>

export const listParameters = () => api.get<{ items: Parameter[] }>('/parameters')
export const updateParameter = (key: string, value: number, reason: string) => api.put<Parameter>(`/parameters/${encodeURIComponent(key)}`, { value, reason })
