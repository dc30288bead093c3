import { DownloadOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Col, Form, Input, Row, Select, Space, Table, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { FORMAT_CLASSES, RESOURCE_STATUSES, SHARE_MODES, SHARE_TYPES, UPDATE_CYCLES } from '../../../../common/catalog.ts'
import { type Resource, type SearchFilter, exportCatalog, searchResources } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import { allOrganisations } from '../../api/orgs.ts'
import { ClassTree } from '../../components/ClassTree.tsx'
import { Highlight } from '../../components/Highlight.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { PendingVersionTag, ShareTypeTag, StaleTag, StatusTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDate } from '../../lib/dates.ts'

const options = (table: Record<string | number, string>) => Object.entries(table).map(([value, label]) => ({ value, label }))
const FILTER_KEYS = ['q', 'classCode', 'providerOrgId', 'shareType', 'updateCycle', 'formatClass', 'shareMode', 'status'] as const

/** 资源目录: the class tree, a search of two characters or more, filters, results and paging (state in the URL). */
export default function CatalogSearchPage() {
  const [params, setParams] = useSearchParams()
  const filter = useMemo(() => {
    const f: Record<string, string> = {}
    for (const key of FILTER_KEYS) {
      const v = params.get(key)
      if (v) f[key] = v
    }
    return f
  }, [params])
  const page = Number(params.get('page') ?? 1)
  const pageSize = Number(params.get('pageSize') ?? 20)
  const [q, setQ] = useState(filter.q ?? '')
  useEffect(() => setQ(filter.q ?? ''), [filter.q])
  const [exporting, setExporting] = useState(false)

  const query: SearchFilter = { ...(filter as SearchFilter), page, pageSize }
  const { data, error, loading, reload } = useAsync((signal) => searchResources(query, { quiet: true, signal }), [params.toString()])
  const orgs = useAsync(() => allOrganisations(), [])
  const orgOptions = (orgs.data ?? []).filter((o) => o.kind !== 'region').map((o) => ({ value: o.id, label: o.name }))

  // More matches than the server counts: `total` is its cap, and only pages within it can be read.
  const capped = !!data?.totalCapped && !loading
  const totalText = (total: number) => (data?.totalCapped ? `共 ${total}+ 条` : `共 ${total} 条`)

  // A search-term problem (e.g. a single character) is shown under the search box.
  const qProblem = error instanceof ApiError ? error.details.find((d) => d.field === 'q')?.message : undefined
  // A page beyond the capped results (an old link, a typed address): say so and offer the first page.
  const pageProblem = error instanceof ApiError ? error.details.find((d) => d.field === 'page')?.message : undefined
  // A refused search has no results: the previous search's count must not stay on screen.
  const shown = error ? undefined : data
  const hits = shown?.matchedTerms ?? []
  const typed = new Set((filter.q ?? '').split(/\s+/))
  const widenedBy = hits.filter((term) => !typed.has(term))

  const update = (patch: Record<string, string | undefined>, keepPage = false) => {
    const next = new URLSearchParams(params)
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value)
      else next.delete(key)
    }
    if (!keepPage) next.delete('page')
    setParams(next)
  }

  const onExport = async () => {
    setExporting(true)
    try {
      await exportCatalog(filter as SearchFilter)
    } catch {
      // the client showed the message
    } finally {
      setExporting(false)
    }
  }

  return (
    <PageContainer
      title="资源目录"
      description="检索全市已发布的政务信息资源目录；本部门的草稿和审核中目录也会列出。"
      extra={
        <Button icon={<DownloadOutlined />} onClick={onExport} loading={exporting}>
          导出 Excel
        </Button>
      }
    >
      <Row gutter={16} wrap={false}>
        <Col flex="272px" style={{ minWidth: 0 }}>
          <Card size="small" title="目录分类" styles={{ body: { maxHeight: 'calc(100vh - 220px)', overflow: 'auto' } }}>
            <ClassTree selected={filter.classCode} onSelect={(code) => update({ classCode: code })} />
          </Card>
        </Col>
        <Col flex="auto" style={{ minWidth: 0 }}>
          <Card size="small" style={{ marginBottom: 12 }}>
            <Form layout="vertical">
              <Form.Item validateStatus={qProblem ? 'error' : undefined} help={qProblem} style={{ marginBottom: 12 }}>
                <Input.Search
                  placeholder="输入资源名称、摘要或信息项名称，中文至少两个字，如：户籍"
                  enterButton="检索"
                  allowClear
                  value={q}
                  onChange={(e) => setQ(e.target.value)}
                  onSearch={(value) => update({ q: value.trim() || undefined })}
                  data-testid="catalog-search"
                />
              </Form.Item>
              <Space wrap size={[8, 8]}>
                <Select
                  style={{ width: 220 }}
                  placeholder="提供部门"
                  allowClear
                  showSearch
                  optionFilterProp="label"
                  loading={orgs.loading}
                  options={orgOptions}
                  value={filter.providerOrgId}
                  onChange={(v) => update({ providerOrgId: v })}
                />
                <Select
                  style={{ width: 140 }}
                  placeholder="共享类型"
                  allowClear
                  options={options(SHARE_TYPES)}
                  value={filter.shareType}
                  onChange={(v) => update({ shareType: v })}
                />
                <Select
                  style={{ width: 140 }}
                  placeholder="更新周期"
                  allowClear
                  options={options(UPDATE_CYCLES)}
                  value={filter.updateCycle}
                  onChange={(v) => update({ updateCycle: v })}
                />
                <Select
                  style={{ width: 140 }}
                  placeholder="格式分类"
                  allowClear
                  options={options(FORMAT_CLASSES)}
                  value={filter.formatClass}
                  onChange={(v) => update({ formatClass: v })}
                />
                <Select
                  style={{ width: 130 }}
                  placeholder="共享方式"
                  allowClear
                  options={options(SHARE_MODES)}
                  value={filter.shareMode}
                  onChange={(v) => update({ shareMode: v })}
                />
                <Select
                  style={{ width: 120 }}
                  placeholder="状态"
                  allowClear
                  options={options(RESOURCE_STATUSES)}
                  value={filter.status}
                  onChange={(v) => update({ status: v })}
                />
                {Object.keys(filter).length > 0 ? (
                  <Button type="link" onClick={() => setParams(new URLSearchParams())}>
                    清除条件
                  </Button>
                ) : null}
              </Space>
            </Form>
          </Card>
          <Card size="small">
            {widenedBy.length > 0 ? (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="search-synonyms-used">
                已同时检索同义词：{widenedBy.join('、')}
              </Typography.Paragraph>
            ) : null}
            {capped && !error ? (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 12 }}
                message={`检索结果超过 ${data?.total} 条，仅可翻阅前 ${data?.total} 条，请增加检索词或筛选条件`}
                data-testid="search-capped"
              />
            ) : null}
            {pageProblem ? (
              <Alert
                type="warning"
                showIcon
                message={pageProblem}
                action={
                  <Button size="small" onClick={() => update({})}>
                    回到第一页
                  </Button>
                }
              />
            ) : error && !qProblem ? (
              <LoadError error={error} onRetry={reload} title="检索失败" />
            ) : (
              <Table<Resource>
                rowKey="id"
                size="middle"
                tableLayout="fixed"
                scroll={{ x: 860 }}
                loading={loading}
                dataSource={shown?.items ?? []}
                locale={{ emptyText: <span className="muted">{qProblem ? '请修改检索词后重试' : '没有符合条件的目录，请调整检索词或筛选条件'}</span> }}
                data-testid="catalog-results"
                pagination={{
                  current: page,
                  pageSize,
                  total: shown?.total ?? 0,
                  showSizeChanger: true,
                  showTotal: (total) => (shown ? totalText(total) : ''),
                  onChange: (p, s) => update({ page: String(p), pageSize: String(s) }, true),
                }}
                columns={[
                  {
                    title: '资源名称',
                    dataIndex: 'name',
                    render: (name: string, r) => (
                      <div>
                        <Link to={`/catalog/${r.id}`}>
                          <Highlight text={name} terms={hits} />
                        </Link>{' '}
                        <StaleTag since={r.staleSince} />
                        <Typography.Paragraph type="secondary" ellipsis={{ rows: 1 }} style={{ margin: 0, fontSize: 12 }}>
                          {r.code ? `${r.code} · ` : ''}
                          <Highlight text={r.abstract} terms={hits} />
                        </Typography.Paragraph>
                      </div>
                    ),
                  },
                  { title: '提供部门', dataIndex: 'providerName', width: 170, ellipsis: true },
                  { title: '共享类型', dataIndex: 'shareType', width: 104, render: (v: number) => <ShareTypeTag value={v} /> },
                  { title: '更新周期', dataIndex: 'updateCycleLabel', width: 88 },
                  {
                    title: '状态',
                    dataIndex: 'status',
                    width: 84,
                    render: (s: string, r) => (
                      <>
                        <StatusTag status={s} />
                        <PendingVersionTag version={r.pendingVersion} />
                      </>
                    ),
                  },
                  { title: '发布日期', dataIndex: 'publishedAt', width: 124, render: formatDate },
                ]}
              />
            )}
          </Card>
        </Col>
      </Row>
    </PageContainer>
  )
}
