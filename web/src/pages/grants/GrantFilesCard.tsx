import { Alert, Button, Card, Input, Modal, Space, Table, Typography } from 'antd'
import { useState } from 'react'
import { type FileDownload, type GrantFile, downloadGrantFile, listFileDownloads, listGrantFiles } from '../../api/exchange.ts'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'

const MARK_LABELS: Record<FileDownload['markKind'], string> = {
  core_properties: '文档属性及文内说明',
  pdf_info: 'PDF 文档信息',
  comment_line: '首行注释',
  log_only: '仅下载记录（该格式无处写入）',
}

const sizeText = (bytes: number) =>
  bytes < 1024 ? `${bytes} 字节` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/**
 * 文件 grants: the versions the consumer may download and the download log. A download asks for its purpose
 * first (the confirmation), and the copy carries the download id the provider can trace.
 */
export function GrantFilesCard({ grantId, canDownload }: { grantId: string; canDownload: boolean }) {
  const files = useAsync(() => listGrantFiles(grantId), [grantId])
  const downloads = useAsync(() => listFileDownloads(grantId), [grantId])
  const [picked, setPicked] = useState<GrantFile | null>(null)
  const [purpose, setPurpose] = useState('')
  const [businessRef, setBusinessRef] = useState('')
  const [busy, setBusy] = useState(false)
  const [lastId, setLastId] = useState<string | null>(null)

  return (
    <>
      <Card size="small" title="文件下载" style={{ marginBottom: 16 }} data-testid="grant-files">
        {lastId ? (
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 12 }}
            message={`已下载，下载编号 ${lastId}`}
            description="文件中已写入下载编号、使用单位和下载时间，请仅在授权用途内使用，不得擅自扩散。"
          />
        ) : null}
        {files.error ? (
          <LoadError error={files.error} onRetry={files.reload} />
        ) : (
          <Table<GrantFile>
            rowKey="id"
            size="small"
            loading={files.loading}
            dataSource={files.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: <span className="muted">提供方尚未上传文件</span> }}
            columns={[
              { title: '文件名', dataIndex: 'fileName' },
              { title: '版本', dataIndex: 'version', width: 80, render: (v: number) => `第 ${v} 版` },
              { title: '大小', dataIndex: 'size', width: 120, render: sizeText },
              { title: '上传时间', dataIndex: 'createdAt', width: 200, render: formatDateTime },
              ...(canDownload
                ? [
                    {
                      title: '操作',
                      key: 'download',
                      width: 100,
                      render: (_: unknown, f: GrantFile) => (
                        <Button
                          size="small"
                          type="link"
                          data-testid={`download-file-${f.version}`}
                          onClick={() => {
                            setPurpose('')
                            setBusinessRef('')
                            setPicked(f)
                          }}
                        >
                          下载
                        </Button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>
      <Card size="small" title="下载记录" style={{ marginBottom: 16 }}>
        {downloads.error ? (
          <LoadError error={downloads.error} onRetry={downloads.reload} />
        ) : (
          <Table<FileDownload>
            rowKey="id"
            size="small"
            loading={downloads.loading}
            dataSource={downloads.data?.items ?? []}
            pagination={false}
            data-testid="file-downloads"
            locale={{ emptyText: <span className="muted">还没有下载记录</span> }}
            columns={[
              { title: '下载时间', dataIndex: 'at', width: 180, render: formatDateTime },
              { title: '下载人', dataIndex: 'userName', width: 120, render: (v: string | null) => v ?? '—' },
              { title: '文件', key: 'file', render: (_: unknown, d) => `${d.fileName}（第 ${d.fileVersion} 版）` },
              { title: '用途', dataIndex: 'purpose' },
              { title: '业务编号', dataIndex: 'businessRef', width: 140, render: (v: string | null) => v ?? '—' },
              { title: '标记方式', dataIndex: 'markKind', width: 180, render: (v: FileDownload['markKind']) => MARK_LABELS[v] },
              {
                title: '下载编号',
                dataIndex: 'id',
                width: 150,
                render: (v: string) => <Typography.Text copyable={{ text: v }}>{v.slice(0, 8)}…</Typography.Text>,
              },
            ]}
          />
        )}
      </Card>
      <Modal
        title={picked ? `下载「${picked.fileName}」（第 ${picked.version} 版）` : ''}
        open={!!picked}
        onCancel={() => setPicked(null)}
        okText="确认下载"
        okButtonProps={{ disabled: !purpose.trim(), 'data-testid': 'confirm-download' } as { disabled: boolean }}
        confirmLoading={busy}
        onOk={async () => {
          if (!picked) return
          setBusy(true)
          try {
            setLastId(await downloadGrantFile(grantId, picked, purpose.trim(), businessRef.trim()))
            setPicked(null)
            downloads.reload()
          } catch {
            // the client showed the message
          } finally {
            setBusy(false)
          }
        }}
      >
        <p className="muted">每次下载都会记录下载人、文件版本、时间和用途，并在文件中写入下载编号，可据此追查外泄的副本。</p>
        <Space direction="vertical" style={{ width: '100%' }}>
          <label htmlFor="download-purpose">用途（必填）</label>
          <Input id="download-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={200} data-testid="download-purpose" />
          <label htmlFor="download-ref">业务编号 / 办件号（可选）</label>
          <Input id="download-ref" value={businessRef} onChange={(e) => setBusinessRef(e.target.value)} maxLength={64} data-testid="download-ref" />
        </Space>
      </Modal>
    </>
  )
}
