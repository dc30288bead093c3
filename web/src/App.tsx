import { Result } from 'antd'
import { type ComponentType, type LazyExoticComponent, Suspense, lazy } from 'react'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom'
import { AuthProvider, useAuth } from './auth/AuthProvider.tsx'
import { Loading } from './components/States.tsx'
import { AppLayout } from './layout/AppLayout.tsx'
import { ErrorBoundary } from './layout/ErrorBoundary.tsx'
import { canOpen } from './layout/nav.tsx'

// Every page is its own chunk (the first load stays small; web/README.md records the sizes).
const LoginPage = lazy(() => import('./pages/login/LoginPage.tsx'))
const WorkbenchPage = lazy(() => import('./pages/workbench/WorkbenchPage.tsx'))
const CatalogSearchPage = lazy(() => import('./pages/catalog/CatalogSearchPage.tsx'))
const CatalogDetailPage = lazy(() => import('./pages/catalog/CatalogDetailPage.tsx'))
const MyEntriesPage = lazy(() => import('./pages/catalog-edit/MyEntriesPage.tsx'))
const EntryFormPage = lazy(() => import('./pages/catalog-edit/EntryFormPage.tsx'))
const ReviewQueuePage = lazy(() => import('./pages/catalog-review/ReviewQueuePage.tsx'))
const ReviewPage = lazy(() => import('./pages/catalog-review/ReviewPage.tsx'))
const AuditPage = lazy(() => import('./pages/audit/AuditPage.tsx'))
const OrgsPage = lazy(() => import('./pages/admin/OrgsPage.tsx'))
const UsersPage = lazy(() => import('./pages/admin/UsersPage.tsx'))
const CalendarPage = lazy(() => import('./pages/admin/CalendarPage.tsx'))
const ParametersPage = lazy(() => import('./pages/admin/ParametersPage.tsx'))
const UpstreamHostsPage = lazy(() => import('./pages/admin/UpstreamHostsPage.tsx'))
const ClassLeadsPage = lazy(() => import('./pages/admin/ClassLeadsPage.tsx'))
const SynonymsPage = lazy(() => import('./pages/catalog/SynonymsPage.tsx'))
const StatsPage = lazy(() => import('./pages/stats/StatsPage.tsx'))
const MountsPage = lazy(() => import('./pages/mounts/MountsPage.tsx'))
const MountDetailPage = lazy(() => import('./pages/mounts/MountDetailPage.tsx'))
const ApplyPage = lazy(() => import('./pages/sharing/ApplyPage.tsx'))
const RequestsPage = lazy(() => import('./pages/sharing/RequestsPage.tsx'))
const RequestDetailPage = lazy(() => import('./pages/sharing/RequestDetailPage.tsx'))
const CasesPage = lazy(() => import('./pages/sharing/CasesPage.tsx'))
const ObjectionsPage = lazy(() => import('./pages/supervision/ObjectionsPage.tsx'))
const DemandsPage = lazy(() => import('./pages/supervision/DemandsPage.tsx'))
const DataElementsPage = lazy(() => import('./pages/supervision/DataElementsPage.tsx'))
const CaseDetailPage = lazy(() => import('./pages/sharing/CaseDetailPage.tsx'))
const GrantsPage = lazy(() => import('./pages/grants/GrantsPage.tsx'))
const GrantDetailPage = lazy(() => import('./pages/grants/GrantDetailPage.tsx'))
const AppsPage = lazy(() => import('./pages/grants/AppsPage.tsx'))
const CallsPage = lazy(() => import('./pages/grants/CallsPage.tsx'))
const EvaluationPage = lazy(() => import('./pages/evaluation/EvaluationPage.tsx'))
const NodesPage = lazy(() => import('./pages/exchange/NodesPage.tsx'))
const JobsPage = lazy(() => import('./pages/exchange/JobsPage.tsx'))
const RunsPage = lazy(() => import('./pages/exchange/RunsPage.tsx'))
const NotificationsPage = lazy(() => import('./pages/notifications/NotificationsPage.tsx'))
const SettingsPage = lazy(() => import('./pages/account/SettingsPage.tsx'))
const TotpSetupPage = lazy(() => import('./pages/account/TotpSetupPage.tsx'))

/** A page behind its menu item's policy actions: other roles get a 403 page, not a blank one. */
function Guarded({ menuKey, page: Page }: { menuKey: string; page: LazyExoticComponent<ComponentType> }) {
  const { user } = useAuth()
  if (!user || !canOpen(menuKey, user.roles)) {
    return <Result status="403" title="无权访问" subTitle="当前账号的角色不能使用此功能，如需开通请联系本单位管理员。" />
  }
  return <Page />
}

const page = (menuKey: string, Page: LazyExoticComponent<ComponentType>) => <Guarded menuKey={menuKey} page={Page} />

export function AppRoot() {
  return (
    <BrowserRouter>
      <ErrorBoundary>
        <AuthProvider>
          <Suspense fallback={<Loading height={400} />}>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route path="/totp-setup" element={<TotpSetupPage />} />
              <Route element={<AppLayout />}>
                <Route index element={<Navigate to="/workbench" replace />} />
                <Route path="/workbench" element={page('workbench', WorkbenchPage)} />
                <Route path="/catalog" element={page('catalog', CatalogSearchPage)} />
                <Route path="/catalog/:id" element={page('catalog', CatalogDetailPage)} />
                <Route path="/catalog-edit" element={page('catalog-edit', MyEntriesPage)} />
                {/* One route for new and existing entries ('new' is the id of an unsaved one), so saving a new
                    draft moves to its address without remounting the form and losing what it shows. */}
                <Route path="/catalog-edit/:id" element={page('catalog-edit', EntryFormPage)} />
                <Route path="/catalog-review" element={page('catalog-review', ReviewQueuePage)} />
                <Route path="/catalog-review/:id" element={page('catalog-review', ReviewPage)} />
                <Route path="/mounts" element={page('mounts', MountsPage)} />
                <Route path="/mounts/:id" element={page('mounts', MountDetailPage)} />
                <Route path="/share-requests" element={page('my-requests', RequestsPage)} />
                <Route path="/share-requests/new" element={page('my-requests', ApplyPage)} />
                <Route path="/share-requests/incoming" element={page('incoming-requests', RequestsPage)} />
                <Route path="/share-requests/escalated" element={page('escalated-requests', RequestsPage)} />
                <Route path="/share-requests/org" element={page('org-requests', RequestsPage)} />
                {/* Both parties and the authority read a request: the roles of 协调案件; the server checks the party. */}
                <Route path="/share-requests/:id" element={page('cases', RequestDetailPage)} />
                <Route path="/coordination" element={page('cases', CasesPage)} />
                <Route path="/coordination/:id" element={page('cases', CaseDetailPage)} />
                <Route path="/objections" element={page('objections', ObjectionsPage)} />
                <Route path="/demands" element={page('demands', DemandsPage)} />
                <Route path="/data-elements" element={page('data-elements', DataElementsPage)} />
                <Route path="/grants" element={page('grants', GrantsPage)} />
                <Route path="/grants/:id" element={page('grants', GrantDetailPage)} />
                <Route path="/apps" element={page('apps', AppsPage)} />
                <Route path="/gateway-calls" element={page('calls', CallsPage)} />
                <Route path="/settings" element={<SettingsPage />} />
                <Route path="/exchange" element={<Navigate to="/exchange/nodes" replace />} />
                <Route path="/exchange/nodes" element={page('exchange-nodes', NodesPage)} />
                <Route path="/exchange/jobs" element={page('exchange-jobs', JobsPage)} />
                <Route path="/exchange/runs" element={page('exchange-runs', RunsPage)} />
                <Route path="/evaluation" element={page('evaluation', EvaluationPage)} />
                <Route path="/notifications" element={page('notifications', NotificationsPage)} />
                <Route path="/stats" element={page('stats', StatsPage)} />
                <Route path="/audit" element={page('audit', AuditPage)} />
                <Route path="/admin" element={<Navigate to="/admin/users" replace />} />
                <Route path="/admin/orgs" element={page('admin-orgs', OrgsPage)} />
                <Route path="/admin/users" element={page('admin-users', UsersPage)} />
                <Route path="/admin/calendar" element={page('admin-calendar', CalendarPage)} />
                <Route path="/admin/parameters" element={page('admin-parameters', ParametersPage)} />
                <Route path="/admin/upstream-hosts" element={page('admin-upstream-hosts', UpstreamHostsPage)} />
                <Route path="/admin/class-leads" element={page('admin-class-leads', ClassLeadsPage)} />
                <Route path="/admin/search-synonyms" element={page('admin-search-synonyms', SynonymsPage)} />
                <Route path="*" element={<Result status="404" title="页面不存在" subTitle="您访问的页面不存在，请从左侧菜单进入。" />} />
              </Route>
            </Routes>
          </Suspense>
        </AuthProvider>
      </ErrorBoundary>
    </BrowserRouter>
  )
}
