import type { z } from 'zod'
import type { FileVersionOut, MountOut, RegisterApiBody, UploadTableOut } from '../../../server/src/modules/mounts/schemas.ts'
import { api } from './client.ts'
import type { Json } from './json.ts'

export type Mount = Json<MountOut>
export type Batch = NonNullable<Mount['batches']>[number]
export type FileVersion = Json<FileVersionOut>
export type TableUpload = Json<UploadTableOut>
export type ApiRegistration = z.input<typeof RegisterApiBody>

const base = (resourceId: string) => `/catalog/resources/${resourceId}/mounts`

export const listMounts = (resourceId: string) => api.get<{ items: Mount[] }>(base(resourceId), { quiet: true })
export const listFileVersions = (resourceId: string) => api.get<{ items: FileVersion[] }>(`${base(resourceId)}/files`, { quiet: true })
export const registerApi = (resourceId: string, body: ApiRegistration) => api.post<Mount>(`${base(resourceId)}/api`, body)

/** CSV (UTF-8/GBK) or XLSX rows: a new batch replacing the previous one; bad rows skipped only when asked. */
export function uploadTable(resourceId: string, file: File, skipInvalidRows: boolean, onProgress: (percent: number) => void) {
  const form = new FormData()
  // Fields before the file: the server reads the parts in order while streaming the file.
  form.append('skipInvalidRows', String(skipInvalidRows))
  form.append('file', file)
  return api.upload<TableUpload>(`${base(resourceId)}/table`, form, onProgress)
}

export function uploadFileVersion(resourceId: string, file: File, onProgress: (percent: number) => void) {
  const form = new FormData()
  form.append('file', file)
  return api.upload<FileVersion>(`${base(resourceId)}/file`, form, onProgress)
}

export const MOUNT_KIND_LABELS: Record<Mount['kind'], string> = { table: '库表', file: '文件', api: '接口' }
export const BATCH_STATUS_LABELS: Record<Batch['status'], string> = { loading: '导入中', active: '使用中', replaced: '已被替换', failed: '失败' }
