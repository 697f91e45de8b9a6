// Keeps <html data-theme> in step with the owner's choice and remembers it.
import { useCallback, useEffect, useState } from 'react'
import { loadThemePreference, saveThemePreference, themeAttribute, type ThemePreference } from './theme.ts'

function browserStorage (): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

/** Applies a preference to the document; main.tsx calls it before the first render to avoid a flash. */
export function applyThemePreference (preference: ThemePreference): void {
  const theme = themeAttribute(preference)
  if (theme === null) delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = theme
}

export function initialThemePreference (): ThemePreference {
  return loadThemePreference(browserStorage())
}

export function useThemePreference (): [ThemePreference, (next: ThemePreference) => void] {
  const [preference, setPreference] = useState<ThemePreference>(initialThemePreference)
  useEffect(() => { applyThemePreference(preference) }, [preference])
  const choose = useCallback((next: ThemePreference) => {
    saveThemePreference(browserStorage(), next)
    setPreference(next)
  }, [])
  return [preference, choose]
}
