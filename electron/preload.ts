// Preload for the sandboxed dashboard: exposes window.vaultHost and nothing else. Sandboxed
// preloads cannot require local files, so vite bundles this file with the contract into one
// CommonJS script (electron/vite.preload.config.ts).
import './zod-jitless.ts'
import { contextBridge, ipcRenderer } from 'electron'
import { createBridge } from './preload-bridge.ts'

export type { VaultBridge } from './preload-bridge.ts'

contextBridge.exposeInMainWorld('vaultHost', createBridge(ipcRenderer))
