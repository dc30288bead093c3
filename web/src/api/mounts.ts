import type { z } from 'zod'
import type { FileVersionOut, MountOut, RegisterApiBody, UploadPreviewOut, UploadTableOut } from '../../../server/src/modules/mounts/schemas.ts'
import { api } from './client.ts'
import type { Json } from './json.ts'

export type Mount = Json<MountOut>
export type Batch = NonNullable<Mount['batches']>[number]
export type FileVersion = Json<FileVersionOut>
export type TableUpload = Json<UploadTableOut>
export type TableUploadPreview = Json<UploadPreviewOut>
export type ApiRegistration = z.input<typeof RegisterApiBody>

const base = (resourceId: string) => `/catalog/resources/${resourceId}/mounts`

export const listMounts = (resourceId: string) => api.get<{ items: Mount[] }>(base(resourceId), { quiet: true })
export const listFileVersions = (resourceId: string) => api.get<{ items: FileVersion[] }>(`${base(resourceId)}/files`, { quiet: true })
export const registerApi = (resourceId: string, body: ApiRegistration) => api.post<Mount>(`${base(resourceId)}/api`, body)

function tableForm(file: File, fields: Record<string, boolean>) {
  const form = new FormData()
  // Fields before the file: the server reads the parts in order while streaming the file.
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value))
  form.append('file', file)
  return form
}

/**
 * CSV (UTF-8/GBK) or XLSX rows: a new batch replacing the previous one; bad rows skipped only when asked.
 * `confirm`: the user has seen the replacement's preview and confirmed it.
 */
export function uploadTable(resourceId: string, file: File, skipInvalidRows: boolean, onProgress: (percent: number) => void, confirm = false) {
  return api.upload<TableUpload>(`${base(resourceId)}/table`, tableForm(file, { skipInvalidRows, confirm }), onProgress)
}

/** The same upload as a dry run: what replacing the current batch would change; nothing is imported. */
export function previewTableUpload(resourceId: string, file: File, skipInvalidRows: boolean, onProgress: (percent: number) => void) {
  return api.upload<TableUploadPreview>(`${base(resourceId)}/table`, tableForm(file, { skipInvalidRows, dryRun: true }), onProgress)
}

/** Serves the batch the last upload replaced again (within the kept period). */
export const restoreTable = (resourceId: string) => api.post<Mount>(`${base(resourceId)}/table/restore`)

export function uploadFileVersion(resourceId: string, file: File, onProgress: (percent: number) => void) {
  const form = new FormData()
  form.append('file', file)
  return api.upload<FileVersion>(`${base(resourceId)}/file`, form, onProgress)
}

export const MOUNT_KIND_LABELS: Record<Mount['kind'], string> = { table: '库表', file: '文件', api: '接口' }
export const BATCH_STATUS_LABELS: Record<Batch['status'], string> = { loading: '导入中', active: '使用中', replaced: '已被替换', failed: '失败' }
