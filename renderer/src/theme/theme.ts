// Light and dark: follow the system unless the owner picked one; the choice is kept in
// localStorage. CSS applies the system scheme by itself (prefers-color-scheme), so the page is
// right before any script runs; an explicit choice sets <html data-theme>.
export type ThemePreference = 'system' | 'light' | 'dark'
export type Theme = 'light' | 'dark'

export const THEME_STORAGE_KEY = 'vault-manager.theme'
export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark']

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export function isThemePreference (value: unknown): value is ThemePreference {
  return value === 'system' || value === 'light' || value === 'dark'
}

export function resolveTheme (preference: ThemePreference, systemPrefersDark: boolean): Theme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light'
  return preference
}

/** The stored preference; 'system' when nothing (or something unknown) is stored or storage is blocked. */
export function loadThemePreference (storage: KeyValueStorage | null): ThemePreference {
  try {
    const stored = storage?.getItem(THEME_STORAGE_KEY)
    return isThemePreference(stored) ? stored : 'system'
  } catch {
    return 'system'
  }
}

export function saveThemePreference (storage: KeyValueStorage | null, preference: ThemePreference): void {
  try {
    if (preference === 'system') storage?.removeItem(THEME_STORAGE_KEY)
    else storage?.setItem(THEME_STORAGE_KEY, preference)
  } catch {
    // Storage may be disabled (private mode, sandbox): the choice then lasts for this page only.
  }
}

/** The value for <html data-theme>: absent for 'system', so the CSS media query decides. */
export function themeAttribute (preference: ThemePreference): Theme | null {
  return preference === 'system' ? null : preference
}
