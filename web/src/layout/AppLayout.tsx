import { DownOutlined, LogoutOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons'
import { Avatar, Dropdown, Layout, Menu, Space, Tag } from 'antd'
import type { MenuProps } from 'antd'
import { Suspense, useMemo } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom'
import { ROLE_LABELS } from '../../../common/roles.ts'
import { useAuth } from '../auth/AuthProvider.tsx'
import { Loading } from '../components/States.tsx'
import { ErrorBoundary } from './ErrorBoundary.tsx'
import { NotificationBell } from './NotificationBell.tsx'
import { type NavItem, navFor, navKeyOf } from './nav.tsx'

const { Header, Sider, Content } = Layout

function toMenuItems(items: NavItem[]): MenuProps['items'] {
  return items.map((item) =>
    item.children
      ? { key: item.key, icon: item.icon, label: item.label, children: toMenuItems(item.children) }
      : { key: item.key, icon: item.icon, label: <Link to={item.path!}>{item.label}</Link> },
  )
}

/** The signed-in frame: the left menu (filtered by the user's roles), the user bar, the page. */
export function AppLayout() {
  const { user, logout } = useAuth()
  const location = useLocation()
  const navigate = useNavigate()
  const nav = useMemo(() => navFor(user?.roles ?? []), [user])
  const selected = navKeyOf(location.pathname)
  if (!user) return null

  const userMenu: MenuProps = {
    items: [
      { key: 'settings', icon: <SettingOutlined />, label: <span data-testid="menu-settings">个人设置</span>, onClick: () => navigate('/settings') },
      { type: 'divider' },
      { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="menu-logout">退出登录</span>, onClick: () => void logout() },
    ],
  }

  return (
    <Layout style={{ minHeight: '100vh' }} className="app-shell">
      <Sider width={216} theme="dark" breakpoint="lg" collapsedWidth={64} className="app-sider">
        <div className="brand">
          <div className="brand-mark">共</div>
          <div className="brand-text">
            <div className="brand-title">政务数据共享交换平台</div>
            <div className="brand-sub">潍坊市</div>
          </div>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          // Every group open: the menu is short, and a role's whole menu stays in view on any page.
          defaultOpenKeys={nav.filter((i) => i.children).map((i) => i.key)}
          items={toMenuItems(nav)}
          data-testid="main-menu"
        />
      </Sider>
      <Layout className="app-main">
        <Header className="app-header">
          <div />
          <Space>
            <NotificationBell />
            <Dropdown menu={userMenu} placement="bottomRight">
              <Space className="user-chip" data-testid="user-chip">
                <Avatar size="small" icon={<UserOutlined />} style={{ background: '#1f5fbf' }} />
                <span className="user-name">{user.name}</span>
                <span className="user-org">{user.orgName}</span>
                {user.roles.map((role) => (
                  <Tag key={role} color="blue" style={{ marginInlineEnd: 0 }}>
                    {ROLE_LABELS[role]}
                  </Tag>
                ))}
                <DownOutlined style={{ fontSize: 10, color: '#8c8c8c' }} />
              </Space>
            </Dropdown>
          </Space>
        </Header>
        <Content className="app-content">
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Content>
      </Layout>
    </Layout>
  )
}
