// One error class per failure, each with a stable `name` that callers check (STYLE: js-libp2p
// errors). The name is a literal, not the class's own name, so bundling and minifying keep it.
export interface NamedErrorClass<N extends string> {
  new (message?: string, options?: ErrorOptions): Error & { name: N }
  readonly NAME: N
}

export function namedError<const N extends string> (name: N): NamedErrorClass<N> {
  return class extends Error {
    static readonly NAME = name
    override name = name
  }
}
