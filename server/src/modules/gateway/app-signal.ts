/** In-process notice that an app was disabled or its secret rotated: the gateway drops cached tokens. */
export const appListeners = new Set<() => void>()

export function appsChanged() {
  for (const listener of appListeners) listener()
}
