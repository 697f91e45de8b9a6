// The custom fields a release's target carries in the signed targets metadata (DESIGN §3.1): what
// the engine is and speaks, when each vault may switch to it, where it may connect, and the
// builders' attestations. Signed metadata is still parsed, not trusted to be well formed.
// TUF signs canonical JSON, which has no floats: every number here is a whole number.
import { z } from 'zod'
import { ReleaseRolloutSchema } from '../../contract/host-api.ts'
import { AttestationSchema, EngineVersionSchema, SEMVER } from './attestations.ts'

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

/** The same shape as the bundle manifest's protocols, so the two can be compared. */
export const ReleaseProtocolSchema = z.object({
  id: z.string().regex(/^(\/[a-z0-9-]+)+$/),
  version: z.string().regex(SEMVER)
}).strict()

/** DESIGN §3.6: eligibility = HMAC(seed, name) against a cursor that grows from start over duration; the contract's shape, since the engine reports it. */
export const RolloutSchema = ReleaseRolloutSchema

/** DESIGN §3.8: the names the engine may resolve; peers learned through the network need none. */
export const EgressPolicySchema = z.object({
  allowedHosts: z.array(z.string().regex(HOSTNAME, 'expected a lowercase host name')).default([])
}).strict()

const releaseFields = {
  engineVersion: EngineVersionSchema,
  protocols: z.array(ReleaseProtocolSchema).min(1),
  // DESIGN §2, versions and eras: a release supports at most two eras, ascending.
  eras: z.array(z.number().int().positive()).min(1).max(2)
    .refine(eras => eras.every((era, index) => index === 0 || (eras[index - 1] ?? Infinity) < era), { message: 'eras must be ascending, each once' }),
  dataFormatVersion: z.number().int().positive(),
  rollout: RolloutSchema,
  // Allowed hosts: none unless the release names them.
  egress: EgressPolicySchema.default({ allowedHosts: [] })
}

/** What the maintainer describes when adding a release (the `--release` file of add-target). */
export const ReleaseDescriptionSchema = z.object(releaseFields).strict()
export type ReleaseDescriptionInput = z.input<typeof ReleaseDescriptionSchema>
export type ReleaseDescription = z.output<typeof ReleaseDescriptionSchema>

/** The target's `custom` object as it is signed: the description plus the builders' attestations. */
export const TargetCustomSchema = z.object({ ...releaseFields, attestations: z.array(AttestationSchema) }).strict()
export type TargetCustom = z.output<typeof TargetCustomSchema>

function comparePrereleases (a: string, b: string): number {
  // semver.org §11: a pre-release sorts before its release; identifiers compare one by one,
  // numeric ones as numbers and below alphanumeric ones; a longer list wins a tie.
  if (a === b) return 0
  if (a === '') return 1
  if (b === '') return -1
  const [x, y] = [a.split('.'), b.split('.')]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i] ?? '', y[i] ?? '']
    if (p === q) continue
    const [pNumeric, qNumeric] = [/^\d+$/.test(p), /^\d+$/.test(q)]
    if (pNumeric && qNumeric) return Math.sign(Number(p) - Number(q))
    if (pNumeric !== qNumeric) return pNumeric ? -1 : 1
    return p < q ? -1 : 1
  }
  return Math.sign(x.length - y.length)
}

/** Semantic version order (semver.org §11). */
export function compareEngineVersions (a: string, b: string): number {
  const [x, y] = [SEMVER.exec(a), SEMVER.exec(b)]
  if (x === null || y === null) throw new RangeError(`"version" expected a semantic version, got "${(x === null ? a : b).slice(0, 80)}"`)
  for (const part of [1, 2, 3]) {
    const difference = Number(x[part]) - Number(y[part])
    if (difference !== 0) return Math.sign(difference)
  }
  return comparePrereleases((x[4] ?? '').slice(1), (y[4] ?? '').slice(1))
}
