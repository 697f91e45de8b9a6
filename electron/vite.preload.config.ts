// Bundles the preload (and the contract it imports) into dist/electron/preload.cjs: a sandboxed
// preload may require only 'electron', not local files.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/electron', import.meta.url)),
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'es2024',
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs'
    },
    rolldownOptions: {
      external: ['electron']
    }
  }
})
