// Lint rules that keep the layout honest (DESIGN §1): node-core never imports Electron; the
// renderer never imports Node or node-core; the contract imports neither.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'worker_threads', 'stream', 'util', 'events', 'url', 'dgram', 'dns', 'tls']
// Matched as whole bare specifiers: as gitignore-style `group` patterns, 'events' or 'util' would
// also forbid relative imports such as './components/events/recent-events.tsx'.
const nodeBuiltinsRegex = `^(${nodeBuiltins.map((name) => name.replace('*', '.*')).join('|')})$`

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-results/', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['node-core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'node-core never imports Electron: only electron/ touches it.' },
          { group: ['**/renderer/**', '**/electron/**'], message: 'node-core does not depend on the shells that present it.' }
        ]
      }]
    }
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: nodeBuiltinsRegex, message: 'The renderer runs in a sandboxed page: no Node modules. Ask the host through HostApi.' },
          { group: ['**/node-core/**', '**/electron/**', 'electron'], message: 'The renderer talks only to HostApi (contract/host-api.ts).' }
        ]
      }]
    }
  },
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: nodeBuiltinsRegex, message: 'The contract is pure: every environment imports it.' },
          { group: ['electron', '**/node-core/**', '**/renderer/**', '**/electron/**'], message: 'The contract is pure: every environment imports it.' }
        ]
      }]
    }
  }
)
