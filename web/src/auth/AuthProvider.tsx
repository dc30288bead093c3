import { App } from 'antd'
import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router-dom'
import { getToken, onSessionEnd, onTotpEnrollmentRequired, setErrorNotifier, setToken } from '../api/client.ts'
import { type LoginResult, type User, login as apiLogin, logout as apiLogout, me } from '../api/identity.ts'
import { forgetOrganisations } from '../api/orgs.ts'
import { Loading } from '../components/States.tsx'

interface AuthValue {
  user: User | null
  /** The session may only set up TOTP (the deployment requires it for the user's roles). */
  enrollmentRequired: boolean
  login(username: string, password: string, totpCode?: string): Promise<LoginResult>
  /** TOTP was confirmed: the server widened the session to a full one. */
  enrolled(): void
  logout(): Promise<void>
}

export const TOTP_SETUP_PATH = '/totp-setup'

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
  const [enrollmentRequired, setEnrollmentRequired] = useState(false)
  // Set by 退出登录: the next login starts at the workbench, not at the page the previous user left.
  const signedOut = useRef(false)

  useEffect(() => {
    setErrorNotifier((text) => void message.error(text))
  }, [message])

  useEffect(() => {
    if (!getToken()) return
    me()
      .then(
        (u) => {
          setUser(u)
          setEnrollmentRequired(!!u.totpRequired && !u.totpEnabled)
        },
        () => setToken(null),
      )
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

  useEffect(
    () =>
      onTotpEnrollmentRequired(() => {
        setEnrollmentRequired(true)
        navigate(TOTP_SETUP_PATH, { replace: true })
      }),
    [navigate],
  )

  const login = useCallback(async (username: string, password: string, totpCode?: string) => {
    const result = await apiLogin(username, password, totpCode)
    signedOut.current = false
    setToken(result.token)
    setUser(result.user)
    setEnrollmentRequired(result.totpEnrollmentRequired)
    return result
  }, [])

  const enrolled = useCallback(() => setEnrollmentRequired(false), [])

  const logout = useCallback(async () => {
    await apiLogout().catch(() => undefined)
    setToken(null)
    signedOut.current = true
    setUser(null)
    setEnrollmentRequired(false)
    forgetOrganisations()
    navigate('/login', { replace: true })
  }, [navigate])

  const value = useMemo(() => ({ user, enrollmentRequired, login, enrolled, logout }), [user, enrollmentRequired, login, enrolled, logout])
  if (checking) return <Loading tip="正在验证登录状态…" height={400} />
  // The login page is the only page without a user.
  if (!user && !location.pathname.startsWith('/login')) {
    if (signedOut.current) return <Navigate to="/login" replace />
    const here = location.pathname + location.search
    return <Navigate to={`/login${here === '/' ? '' : `?redirect=${encodeURIComponent(here)}`}`} replace />
  }
  // Until the second factor is set up, the setup page is the only page the session can use.
  if (user && enrollmentRequired && location.pathname !== TOTP_SETUP_PATH) return <Navigate to={TOTP_SETUP_PATH} replace />
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}
