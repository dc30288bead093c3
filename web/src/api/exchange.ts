import type { DownloadOut, GrantFileOut } from '../../../server/src/modules/exchange/files/schemas.ts'
import { api, saveDownload } from './client.ts'
import type { Json } from './json.ts'

export type GrantFile = Json<GrantFileOut>
export type FileDownload = Json<DownloadOut>

export const listGrantFiles = (grantId: string) => api.get<{ items: GrantFile[] }>(`/grants/${grantId}/files`, { quiet: true })
export const listFileDownloads = (grantId: string) => api.get<{ items: FileDownload[] }>(`/grants/${grantId}/file-downloads`, { quiet: true })

/** Downloads one version of a 文件 grant's file (a marked copy); returns the download id the server assigned. */
export async function downloadGrantFile(grantId: string, file: GrantFile, purpose: string, businessRef: string) {
  const query = { purpose, ...(businessRef.trim() ? { businessRef } : {}) }
  const response = await api.download(`/grants/${grantId}/files/${file.id}/download`, { query })
  const downloadId = response.headers.get('x-download-id')
  await saveDownload(response, file.fileName)
  return downloadId
}
