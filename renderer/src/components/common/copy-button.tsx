import { useEffect, useState } from 'react'

type CopyState = 'idle' | 'copied' | 'failed'

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton ({ text, label }: { text: string, label: string }) {
  const [state, setState] = useState<CopyState>('idle')

  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => { setState('idle') }, 2000)
    return () => { clearTimeout(timer) }
  }, [state])

  function copy (): void {
    // The clipboard API is missing on insecure origins and may be refused; say so instead of failing silently.
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard
    if (clipboard === undefined) {
      setState('failed')
      return
    }
    clipboard.writeText(text).then(() => { setState('copied') }, () => { setState('failed') })
  }

  return (
    <button type="button" className="button button--small" onClick={copy} aria-label={state === 'idle' ? label : undefined}>
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}</span>
    </button>
  )
}
