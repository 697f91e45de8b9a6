import { THEME_PREFERENCES, type ThemePreference } from '../../theme/theme.ts'
import { useThemePreference } from '../../theme/use-theme.ts'

const LABELS: Record<ThemePreference, string> = { system: 'System', light: 'Light', dark: 'Dark' }

/** Three-way switch: follow the system, or force light or dark. */
export function ThemeSwitch () {
  const [preference, choose] = useThemePreference()
  return (
    <div className="segmented" role="group" aria-label="Colour theme">
      {THEME_PREFERENCES.map((option) => (
        <button
          key={option}
          type="button"
          className="segmented__option"
          aria-pressed={preference === option}
          onClick={() => { choose(option) }}
        >
          {LABELS[option]}
        </button>
      ))}
    </div>
  )
}
