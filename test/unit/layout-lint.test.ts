// The layout rules of DESIGN §1 hold because lint fails on a crossing: checked here on probe code.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'

const root = fileURLToPath(new URL('../../', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function restrictedImports (file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` })
  return (result?.messages ?? []).filter(message => message.ruleId === 'no-restricted-imports').map(message => message.message)
}

describe('layout lint rules', () => {
  it('fail on node-core importing electron', async () => {
    assert.equal((await restrictedImports('node-core/probe.ts', "import { app } from 'electron'\nexport const a = app\n")).length, 1)
  })

  it('fail on the renderer importing node:* or node-core', async () => {
    const messages = await restrictedImports('renderer/src/probe.ts', "import { readFile } from 'node:fs/promises'\nimport { createVault } from '../../node-core/engine/vault.ts'\nexport const a = [readFile, createVault]\n")
    assert.equal(messages.length, 2)
  })

  it('fail on the contract importing Node', async () => {
    assert.equal((await restrictedImports('contract/probe.ts', "import { join } from 'node:path'\nexport const a = join\n")).length, 1)
  })

  it('allow what each layer may use', async () => {
    assert.deepEqual(await restrictedImports('renderer/src/probe.ts', "import { hostVerbs } from '../../contract/host-api.ts'\nexport const a = hostVerbs\n"), [])
    assert.deepEqual(await restrictedImports('node-core/probe.ts', "import { join } from 'node:path'\nexport const a = join\n"), [])
  })
})
