import { InboxOutlined } from '@ant-design/icons'
import { Alert, Button, Checkbox, Modal, Space, Table, Upload } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { type ImportOutcome, type ImportProblem, exportCatalog, importCatalog } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'

/**
 * Excel import (国家 2017 目录模板列): the file becomes drafts of the user's department. All or
 * nothing by default; a per-row report (工作表、行号、列、问题) lists every problem.
 */
export function ImportDialog({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [loadValid, setLoadValid] = useState(false)
  const [running, setRunning] = useState(false)
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null)
  const [failure, setFailure] = useState<string | null>(null)

  const reset = () => {
    setFile(null)
    setOutcome(null)
    setFailure(null)
  }

  const run = async () => {
    if (!file) return
    setRunning(true)
    setOutcome(null)
    setFailure(null)
    try {
      const result = await importCatalog(file, loadValid)
      setOutcome(result)
      if (result.created > 0) onImported()
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : '导入失败，请稍后重试')
    } finally {
      setRunning(false)
    }
  }

  return (
    <Modal
      title="导入 Excel 目录"
      open={open}
      width={880}
      onCancel={() => {
        reset()
        onClose()
      }}
      destroyOnHidden
      footer={
        <Space>
          <Button
            onClick={() => {
              reset()
              onClose()
            }}
          >
            关闭
          </Button>
          <Button type="primary" disabled={!file} loading={running} onClick={run} data-testid="import-run">
            开始导入
          </Button>
        </Space>
      }
    >
      <p className="muted" style={{ marginTop: 0 }}>
        按国家 2017
        年政务信息资源目录模板填写：「信息资源」工作表每行一条目录，「信息项」工作表每行一个信息项，用「资源序号」对应。导入的目录为本单位草稿，核对后再提交审核。
        <Button type="link" size="small" onClick={() => exportCatalog({ mine: 'true' }).catch(() => undefined)}>
          下载模板（导出本单位目录）
        </Button>
      </p>
      <Upload.Dragger
        accept=".xlsx"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f)
          setOutcome(null)
          setFailure(null)
          return false
        }}
        onRemove={() => setFile(null)}
        fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">点击或拖动 Excel 文件（.xlsx）到此处</p>
        <p className="ant-upload-hint">单个文件最多 5000 条目录，不超过 20 MB</p>
      </Upload.Dragger>
      <Checkbox checked={loadValid} onChange={(e) => setLoadValid(e.target.checked)} style={{ marginTop: 12 }} data-testid="import-load-valid">
        只导入无误的目录（有错误的目录不导入，其余照常导入）
      </Checkbox>
      {failure ? <Alert type="error" showIcon style={{ marginTop: 12 }} message={failure} /> : null}
      {outcome ? <ImportReport outcome={outcome} /> : null}
    </Modal>
  )
}

function ImportReport({ outcome }: { outcome: ImportOutcome }) {
  const { ok, created, problems, ignoredColumns } = outcome
  return (
    <div style={{ marginTop: 12 }} data-testid="import-report">
      {ok ? (
        <Alert
          type={problems.length > 0 ? 'warning' : 'success'}
          showIcon
          message={
            problems.length > 0 ? `已导入 ${created} 条目录（草稿），以下 ${problems.length} 处问题所在的目录未导入` : `已导入 ${created} 条目录（草稿）`
          }
          description={
            outcome.ids.length > 0 ? (
              <span>
                可在目录列表中核对后提交审核，如 <Link to={`/catalog-edit/${outcome.ids[0]}`}>打开第一条</Link>。
              </span>
            ) : undefined
          }
        />
      ) : (
        <Alert type="error" showIcon message={outcome.message || '导入文件有错误，未导入任何目录'} />
      )}
      {ignoredColumns.length > 0 ? (
        <Alert type="info" showIcon style={{ marginTop: 8 }} message={`以下列未识别，已忽略：${ignoredColumns.join('、')}`} />
      ) : null}
      {problems.length > 0 ? (
        <Table<ImportProblem>
          style={{ marginTop: 8 }}
          size="small"
          rowKey={(p, i) => `${p.sheet}-${p.line}-${p.column}-${i}`}
          dataSource={problems}
          pagination={problems.length > 10 ? { pageSize: 10, showTotal: (t) => `共 ${t} 处` } : false}
          data-testid="import-errors"
          columns={[
            { title: '工作表', dataIndex: 'sheet', width: 100, render: (v: string | null) => v ?? '—' },
            { title: '行号', dataIndex: 'line', width: 80, render: (v: number | null) => (v ? `第 ${v} 行` : '—') },
            { title: '列', dataIndex: 'column', width: 150 },
            { title: '问题', dataIndex: 'message' },
          ]}
        />
      ) : null}
    </div>
  )
}
