// Imported first by the preload: zod compiles object parsers with new Function() unless told
// not to, which the dashboard's CSP (no 'unsafe-eval') refuses. zod reads the setting when a
// schema is created, so it must run before the contract module builds its schemas.
import { config } from 'zod'

config({ jitless: true })
