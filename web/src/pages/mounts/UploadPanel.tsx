import { InboxOutlined } from '@ant-design/icons'
import { Button, Progress, Space, Upload } from 'antd'
import { type ReactNode, useState } from 'react'

/**
 * Pick one file, then send it with a progress bar: the upload runs through `send`, which reports
 * progress (XMLHttpRequest). The outcome is shown by the caller below the panel.
 */
export function UploadPanel({
  accept,
  hint,
  buttonText,
  extra,
  send,
  testId,
}: {
  accept: string
  hint: ReactNode
  buttonText: string
  extra?: ReactNode
  /** Resolves to `false` when the user cancelled (nothing was changed). */
  send: (file: File, onProgress: (percent: number) => void) => Promise<unknown>
  testId: string
}) {
  const [file, setFile] = useState<File | null>(null)
  const [percent, setPercent] = useState<number | null>(null)
  const [status, setStatus] = useState<'active' | 'success' | 'exception'>('active')
  const busy = percent !== null && status === 'active'

  const start = async () => {
    if (!file) return
    setStatus('active')
    setPercent(0)
    try {
      if ((await send(file, setPercent)) === false) {
        setPercent(null)
        return
      }
      setPercent(100)
      setStatus('success')
    } catch {
      setStatus('exception')
    }
  }

  return (
    <div data-testid={testId}>
      <Upload.Dragger
        accept={accept}
        multiple={false}
        maxCount={1}
        disabled={busy}
        showUploadList={false}
        beforeUpload={(f) => {
          setFile(f)
          setPercent(null)
          return false
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{file ? `已选择：${file.name}（${formatBytes(file.size)}）` : '点击或将文件拖到此处'}</p>
        <p className="ant-upload-hint">{hint}</p>
      </Upload.Dragger>
      <Space style={{ marginTop: 12 }} wrap>
        {extra}
        <Button type="primary" disabled={!file} loading={busy} onClick={start} data-testid={`${testId}-start`}>
          {buttonText}
        </Button>
      </Space>
      {percent !== null ? (
        <Progress
          percent={percent}
          status={status}
          // The state colours of the bar's own text are too light for 4.5:1 on white: the text keeps the body colour.
          format={(p) => (
            <span style={{ color: 'rgba(0, 0, 0, 0.88)' }}>
              {status === 'exception' ? '失败' : p === 100 && status === 'active' ? '服务器处理中…' : `${p}%`}
            </span>
          )}
          style={{ marginTop: 8 }}
          aria-label="上传进度"
          data-testid={`${testId}-progress`}
        />
      ) : null}
    </div>
  )
}

export function formatBytes(size: number) {
  if (size < 1024) return `${size} 字节`
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`
  return `${(size / 1024 / 1024).toFixed(1)} MB`
}
