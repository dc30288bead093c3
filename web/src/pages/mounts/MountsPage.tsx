import { Button, Card, Input, Space, Table, Tag } from 'antd'
import { Link, useNavigate } from 'react-router-dom'
import { SHARE_MODES } from '../../../../common/catalog.ts'
import { type Resource, searchResources } from '../../api/catalog.ts'
import { pageControls } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { ShareTypeTag, StatusTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { formatDateTime } from '../../lib/dates.ts'

/** 资源挂接: the department's own catalog entries, each opening its mounting page (table, file, API). */
export default function MountsPage() {
  const navigate = useNavigate()
  const { q, page, setFilter, setPage } = useListFilters({ q: '' })
  const { data, error, loading, reload } = useAsync(() => searchResources({ mine: 'true', q: q || undefined, page, pageSize: 20 }, { quiet: true }), [q, page])
  return (
    <PageContainer title="资源挂接" description="为本单位的目录挂接数据：上传库表数据（CSV/XLSX）、上传文件或登记上游接口。挂接后方可提交审核、对外提供。">
      <Card size="small">
        <Space style={{ marginBottom: 12 }}>
          <Input.Search allowClear placeholder="按目录名称检索（至少两个字）" style={{ width: 320 }} onSearch={(v) => setFilter('q', v.trim())} data-testid="mounts-search" />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Resource>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="mount-entries"
            locale={{ emptyText: <span className="muted">本单位还没有目录，请先在“目录编制”中新建</span> }}
            pagination={pageControls(page, data?.total, setPage)}
            columns={[
              { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/mounts/${r.id}`}>{name}</Link> },
              { title: '状态', dataIndex: 'status', width: 110, render: (s: string, r) => <StatusTag status={s} label={r.statusLabel} /> },
              { title: '共享类型', dataIndex: 'shareType', width: 110, render: (v: number) => <ShareTypeTag value={v} /> },
              {
                title: '共享方式',
                dataIndex: 'shareModes',
                width: 180,
                render: (modes: string[]) => (modes.length === 0 ? <span className="muted">未挂接</span> : modes.map((m) => <Tag key={m}>{SHARE_MODES[m as keyof typeof SHARE_MODES] ?? m}</Tag>)),
              },
              { title: '最后修改', dataIndex: 'changedAt', width: 170, render: formatDateTime },
              { title: '操作', key: 'op', width: 100, render: (_: unknown, r) => <Button size="small" onClick={() => navigate(`/mounts/${r.id}`)}>挂接数据</Button> },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}
