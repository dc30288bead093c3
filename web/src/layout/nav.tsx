import {
  AlertOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BarChartOutlined,
  BellOutlined,
  CalendarOutlined,
  ControlOutlined,
  ClusterOutlined,
  DashboardOutlined,
  CloudUploadOutlined,
  EditOutlined,
  ExceptionOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  HddOutlined,
  HistoryOutlined,
  InboxOutlined,
  KeyOutlined,
  NodeIndexOutlined,
  PullRequestOutlined,
  SendOutlined,
  SolutionOutlined,
  SwapOutlined,
  SyncOutlined,
  WarningOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  TrophyOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons'
import type { ReactNode } from 'react'
import type { Role } from '../../../common/roles.ts'
import { type PolicyAction, allowedByRole } from '../auth/permissions.ts'

export interface NavItem {
  key: string
  label: string
  icon?: ReactNode
  /** The route path (leaf items). */
  path?: string
  /** Shown when the user holds a role the server's policy lists for any of these actions. */
  anyOf?: PolicyAction[]
  /**
   * A view made for these roles only, on an action other roles reach through their own pages (a DEPT_ADMIN
   * may list its department's requests but neither applies nor decides, so it has no 我的申请 / 待我审批).
   */
  onlyRoles?: Role[]
  children?: NavItem[]
}

/**
 * The console's menu, in the order of a department's work. Each item names the policy actions its
 * page needs, so a role sees exactly the pages the API lets it use.
 */
export const NAV: NavItem[] = [
  { key: 'workbench', label: '工作台', icon: <DashboardOutlined />, path: '/workbench', anyOf: ['identity.session.me'] },
  { key: 'catalog', label: '资源目录', icon: <FileSearchOutlined />, path: '/catalog', anyOf: ['catalog.resource.search'] },
  { key: 'catalog-edit', label: '目录编制', icon: <EditOutlined />, path: '/catalog-edit', anyOf: ['catalog.resource.create'] },
  { key: 'mounts', label: '资源挂接', icon: <CloudUploadOutlined />, path: '/mounts', anyOf: ['mounts.table.upload'] },
  { key: 'catalog-review', label: '目录审核', icon: <SafetyCertificateOutlined />, path: '/catalog-review', anyOf: ['catalog.resource.review'] },
  {
    key: 'sharing',
    label: '共享申请',
    icon: <SendOutlined />,
    children: [
      { key: 'my-requests', label: '我的申请', icon: <UnorderedListOutlined />, path: '/share-requests', anyOf: ['sharing.request.create'] },
      { key: 'incoming-requests', label: '待我审批', icon: <InboxOutlined />, path: '/share-requests/incoming', anyOf: ['sharing.request.decide'] },
      {
        key: 'org-requests',
        label: '本单位申请',
        icon: <ApartmentOutlined />,
        path: '/share-requests/org',
        anyOf: ['sharing.request.list'],
        onlyRoles: ['DEPT_ADMIN'],
      },
      {
        key: 'escalated-requests',
        label: '逾期督办',
        icon: <WarningOutlined />,
        path: '/share-requests/escalated',
        anyOf: ['sharing.request.authority-decide'],
      },
      { key: 'cases', label: '协调案件', icon: <SolutionOutlined />, path: '/coordination', anyOf: ['sharing.case.list'] },
    ],
  },
  {
    key: 'supervision',
    label: '监督管理',
    icon: <AlertOutlined />,
    children: [
      { key: 'objections', label: '数据异议', icon: <ExceptionOutlined />, path: '/objections', anyOf: ['objections.objection.list'] },
      { key: 'demands', label: '供需对接', icon: <PullRequestOutlined />, path: '/demands', anyOf: ['demands.demand.list'] },
      { key: 'data-elements', label: '一数一源', icon: <NodeIndexOutlined />, path: '/data-elements', anyOf: ['elements.element.list'] },
    ],
  },
  {
    key: 'grants-apps',
    label: '授权与应用',
    icon: <AppstoreOutlined />,
    children: [
      { key: 'grants', label: '数据授权', icon: <FileDoneOutlined />, path: '/grants', anyOf: ['sharing.grant.list'] },
      { key: 'apps', label: '调用应用', icon: <KeyOutlined />, path: '/apps', anyOf: ['gateway.app.list'] },
      { key: 'calls', label: '调用记录', icon: <ApiOutlined />, path: '/gateway-calls', anyOf: ['gateway.call.list'] },
    ],
  },
  {
    key: 'exchange',
    label: '数据交换',
    icon: <SwapOutlined />,
    children: [
      { key: 'exchange-nodes', label: '前置机', icon: <HddOutlined />, path: '/exchange/nodes', anyOf: ['exchange.node.read'] },
      { key: 'exchange-jobs', label: '交换任务', icon: <SyncOutlined />, path: '/exchange/jobs', anyOf: ['exchange.node.read'] },
      { key: 'exchange-runs', label: '运行记录', icon: <HistoryOutlined />, path: '/exchange/runs', anyOf: ['exchange.node.read'] },
    ],
  },
  { key: 'evaluation', label: '考核评估', icon: <TrophyOutlined />, path: '/evaluation', anyOf: ['evaluation.run.list'] },
  { key: 'notifications', label: '站内消息', icon: <BellOutlined />, path: '/notifications', anyOf: ['notification.list'] },
  { key: 'stats', label: '统计', icon: <BarChartOutlined />, path: '/stats', anyOf: ['catalog.resource.search'] },
  { key: 'audit', label: '审计', icon: <AuditOutlined />, path: '/audit', anyOf: ['audit.event.list'] },
  {
    key: 'admin',
    label: '系统管理',
    icon: <SettingOutlined />,
    children: [
      { key: 'admin-orgs', label: '单位管理', icon: <ClusterOutlined />, path: '/admin/orgs', anyOf: ['orgs.org.create'] },
      { key: 'admin-users', label: '用户与角色', icon: <TeamOutlined />, path: '/admin/users', anyOf: ['identity.user.list'] },
      { key: 'admin-calendar', label: '工作日历', icon: <CalendarOutlined />, path: '/admin/calendar', anyOf: ['calendar.day.update'] },
      { key: 'admin-parameters', label: '参数设置', icon: <ControlOutlined />, path: '/admin/parameters', anyOf: ['parameter.list'] },
      {
        key: 'admin-upstream-hosts',
        label: '上游接口白名单',
        icon: <SafetyCertificateOutlined />,
        path: '/admin/upstream-hosts',
        anyOf: ['security.upstream.list'],
      },
      { key: 'admin-class-leads', label: '分类牵头部门', icon: <ApartmentOutlined />, path: '/admin/class-leads', anyOf: ['catalog.class.update'] },
      { key: 'admin-search-synonyms', label: '检索同义词', icon: <FileSearchOutlined />, path: '/admin/search-synonyms', anyOf: ['catalog.synonym.update'] },
    ],
  },
]

const allowed = (item: NavItem, roles: readonly Role[]) =>
  (!item.onlyRoles || item.onlyRoles.some((role) => roles.includes(role))) && (!item.anyOf || item.anyOf.some((action) => allowedByRole(roles, action)))

/** The menu this user sees: items their roles allow; a group only when one of its children is allowed. */
export function navFor(roles: readonly Role[]): NavItem[] {
  const result: NavItem[] = []
  for (const item of NAV) {
    if (item.children) {
      const children = item.children.filter((child) => allowed(child, roles))
      if (children.length > 0) result.push({ ...item, children })
    } else if (allowed(item, roles)) result.push(item)
  }
  return result
}

/** Whether a page (by its menu key) is open to these roles; pages outside the menu are open to all. */
export function canOpen(key: string, roles: readonly Role[]): boolean {
  const flat = NAV.flatMap((item) => (item.children ? item.children : [item]))
  const item = flat.find((i) => i.key === key)
  return !item || allowed(item, roles)
}

/** The menu item a path belongs to (longest path prefix). */
export function navKeyOf(pathname: string): string | undefined {
  const flat = NAV.flatMap((item) => (item.children ? item.children : [item]))
  return flat
    .filter((i) => i.path && (pathname === i.path || pathname.startsWith(`${i.path}/`)))
    .sort((a, b) => (b.path?.length ?? 0) - (a.path?.length ?? 0))[0]?.key
}
