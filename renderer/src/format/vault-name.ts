// A vault's name is its PeerId (DESIGN §2): long, so the dashboard shows both ends and keeps
// the whole of it in a tooltip and behind a copy button.

/** `"12D3KooWAbCdEf…9xYz12"`: keeps the start (the key type prefix) and the end (where age lives). */
export function shortenVaultName (name: string, head = 10, tail = 6): string {
  if (!Number.isInteger(head) || head < 1) throw new RangeError(`"head" expected a positive integer, got ${head}`)
  if (!Number.isInteger(tail) || tail < 1) throw new RangeError(`"tail" expected a positive integer, got ${tail}`)
  // Shortening must save at least a few characters, or the ellipsis only hides information.
  if (name.length <= head + tail + 3) return name
  return `${name.slice(0, head)}…${name.slice(-tail)}`
}
