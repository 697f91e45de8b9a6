// `vault start --headless` as a user runs it, for end-to-end tests: the dashboard URL it prints,
// the token in it, a HostApi call over /api/call, and a clean stop.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { resultSchema, type HostVerb, type Result, type VerbParams } from '../../contract/host-api.ts'

const cli = fileURLToPath(new URL('../../node-core/cli/vault.ts', import.meta.url))

export interface HeadlessVault {
  /** The dashboard URL with its token, as printed. */
  url: string
  origin: string
  token: string
  /** Calls one HostApi verb; resolves with the host's `{ ok, value | error }` answer. */
  call<V extends HostVerb>(verb: V, params: VerbParams<V>): Promise<Result<unknown>>
  stop(): Promise<void>
}

export async function startHeadlessVault (dataDir: string, extraArgs: readonly string[] = []): Promise<HeadlessVault> {
  const vault: ChildProcess = spawn(process.execPath, [cli, 'start', '--headless', '--data-dir', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: vault.stdout ?? process.stdin })
    lines.on('line', line => {
      const match = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    vault.once('exit', code => { reject(new Error(`vault start exited with ${code} before printing its URL`)) })
  })
  const parsed = new URL(url)
  const token = parsed.searchParams.get('token') ?? ''
  const answer = resultSchema(z.unknown())
  return {
    url,
    origin: parsed.origin,
    token,
    async call (verb, params) {
      const response = await fetch(`${parsed.origin}/api/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ verb, params })
      })
      if (response.status !== 200) throw new Error(`/api/call ${verb} answered HTTP ${response.status}: ${await response.text()}`)
      return answer.parse(await response.json())
    },
    async stop () {
      if (vault.exitCode !== null || vault.signalCode !== null) return
      const exited = new Promise(resolve => vault.once('exit', resolve))
      vault.kill('SIGINT')
      await exited
    }
  }
}
