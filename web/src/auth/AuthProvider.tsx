import { App } from 'antd'
import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router-dom'
import { getToken, onSessionEnd, setErrorNotifier, setToken } from '../api/client.ts'
import { type User, login as apiLogin, logout as apiLogout, me } from '../api/identity.ts'
import { forgetOrganisations } from '../api/orgs.ts'
import { Loading } from '../components/States.tsx'

interface AuthValue {
  user: User | null
  login(username: string, password: string): Promise<User>
  logout(): Promise<void>
}

const AuthContext = createContext<AuthValue | null>(null)

export function useAuth(): AuthValue {
  const value = useContext(AuthContext)
  if (!value) throw new Error('useAuth outside AuthProvider')
  return value
}

/** The signed-in user (a token alone is not trusted: it is checked with /auth/me on start). */
export function AuthProvider({ children }: { children: ReactNode }) {
  const { message } = App.useApp()
  const navigate = useNavigate()
  const location = useLocation()
  const [user, setUser] = useState<User | null>(null)
  const [checking, setChecking] = useState(() => !!getToken())

  useEffect(() => {
    setErrorNotifier((text) => void message.error(text))
  }, [message])

  useEffect(() => {
    if (!getToken()) return
    me()
      .then(setUser, () => setToken(null))
      .finally(() => setChecking(false))
  }, [])

  useEffect(
    () =>
      onSessionEnd(() => {
        setUser(null)
        message.warning('登录已过期或已在别处退出，请重新登录')
        const here = window.location.pathname + window.location.search
        navigate(`/login${here.startsWith('/login') ? '' : `?redirect=${encodeURIComponent(here)}`}`, { replace: true })
      }),
    [message, navigate],
  )

  const login = useCallback(async (username: string, password: string) => {
    const result = await apiLogin(username, password)
    setToken(result.token)
    setUser(result.user)
    return result.user
  }, [])

  const logout = useCallback(async () => {
    await apiLogout().catch(() => undefined)
    setToken(null)
    setUser(null)
    forgetOrganisations()
    navigate('/login', { replace: true })
  }, [navigate])

  const value = useMemo(() => ({ user, login, logout }), [user, login, logout])
  if (checking) return <Loading tip="正在验证登录状态…" height={400} />
  // The login page is the only page without a user.
  if (!user && !location.pathname.startsWith('/login')) {
    const here = location.pathname + location.search
    return <Navigate to={`/login${here === '/' ? '' : `?redirect=${encodeURIComponent(here)}`}`} replace />
  }
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}
