// The Electron entry: hands the real Electron modules and the real host to the controller.
// Everything with logic lives in app-controller.ts and is tested with fakes.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, session, Tray } from 'electron'
import type { NativeImage } from 'electron'
import { join } from 'node:path'
import { createVaultHost } from '../node-core/host/vault-host.ts'
import { startVaultApp } from './app-controller.ts'

// Built layout: dist/electron/main.js, dist/electron/preload.cjs, dist/renderer/index.html,
// and assets/ at the package root (inside app.asar once packaged).
const here = import.meta.dirname

startVaultApp<NativeImage>({
  electron: { app, BrowserWindow, Tray, Menu, ipcMain, nativeImage, Notification, session },
  createHost: createVaultHost,
  paths: {
    preload: join(here, 'preload.cjs'),
    renderer: join(here, '..', 'renderer', 'index.html'),
    assets: join(here, '..', '..', 'assets')
  },
  startHidden: process.argv.includes('--hidden')
}).catch((err: unknown) => {
  console.error('Vault Manager failed to start', err)
  app.exit(1)
})
