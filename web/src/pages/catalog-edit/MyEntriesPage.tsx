import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import { Button, Card, Select, Space, Table } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { RESOURCE_STATUSES } from '../../../../common/catalog.ts'
import { type Resource, exportCatalog, searchResources } from '../../api/catalog.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { ShareTypeTag, StatusTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { ImportDialog } from './ImportDialog.tsx'

/** 目录编制: the department's own entries in every state, with create, Excel import and export. */
export default function MyEntriesPage() {
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const status = params.get('status') ?? undefined
  const page = Number(params.get('page') ?? 1)
  const [importing, setImporting] = useState(false)
  const [exporting, setExporting] = useState(false)
  const { data, error, loading, reload } = useAsync(
    (signal) => searchResources({ mine: 'true', status: status as 'draft' | undefined, page, pageSize: 20 }, { quiet: true, signal }),
    [status, page],
  )

  const setFilter = (next: Record<string, string | undefined>) => {
    const p = new URLSearchParams(params)
    for (const [k, v] of Object.entries(next)) v ? p.set(k, v) : p.delete(k)
    setParams(p)
  }

  return (
    <PageContainer
      title="目录编制"
      description="本单位的信息资源目录：新建、修改、导入，保存为草稿后提交主管部门审核。"
      extra={
        <>
          <Button
            icon={<DownloadOutlined />}
            loading={exporting}
            onClick={async () => {
              setExporting(true)
              await exportCatalog({ mine: 'true', status: status as 'draft' | undefined }).catch(() => undefined)
              setExporting(false)
            }}
          >
            导出 Excel
          </Button>
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="open-import">
            导入 Excel
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/catalog-edit/new')} data-testid="new-entry">
            新建目录
          </Button>
        </>
      }
    >
      <Card size="small">
        <Space style={{ marginBottom: 12 }}>
          <span>状态：</span>
          <Select
            style={{ width: 160 }}
            allowClear
            placeholder="全部状态"
            value={status}
            options={Object.entries(RESOURCE_STATUSES).map(([value, label]) => ({ value, label }))}
            onChange={(v) => setFilter({ status: v, page: undefined })}
          />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Resource>
            rowKey="id"
            loading={loading}
            dataSource={data?.items ?? []}
            locale={{ emptyText: <span className="muted">本单位还没有目录，点击「新建目录」或「导入 Excel」开始编制</span> }}
            pagination={{
              current: page,
              pageSize: 20,
              total: data?.total ?? 0,
              showTotal: (t) => `共 ${t} 条`,
              onChange: (p) => setFilter({ page: String(p) }),
            }}
            data-testid="my-entries"
            columns={[
              { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/catalog/${r.id}`}>{name}</Link> },
              { title: '资源代码', dataIndex: 'code', width: 140, render: (c: string | null) => c ?? <span className="muted">发布后生成</span> },
              { title: '共享类型', dataIndex: 'shareType', width: 110, render: (v: number) => <ShareTypeTag value={v} /> },
              { title: '版本', dataIndex: 'version', width: 80, render: (v: number) => `第 ${v} 版` },
              {
                title: '状态',
                dataIndex: 'status',
                width: 200,
                render: (s: string, r) => (
                  <Space size={4}>
                    <StatusTag status={s} label={r.statusLabel} />
                    {s === 'pending_review' ? <WorkdayCountdown due={r.reviewDueAt} /> : null}
                  </Space>
                ),
              },
              { title: '最后修改', dataIndex: 'changedAt', width: 170, render: formatDateTime },
              {
                title: '操作',
                key: 'op',
                width: 120,
                render: (_: unknown, r) =>
                  r.actions.update ? <Link to={`/catalog-edit/${r.id}`}>{r.status === 'published' ? '修改' : '编辑'}</Link> : <span className="muted">—</span>,
              },
            ]}
          />
        )}
      </Card>
      <ImportDialog open={importing} onClose={() => setImporting(false)} onImported={reload} />
    </PageContainer>
  )
}
