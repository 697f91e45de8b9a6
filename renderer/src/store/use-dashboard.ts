// React access to the dashboard store: main.tsx provides it, components select what they need.
import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { DashboardState, DashboardStore } from '../store.ts'

export const DashboardStoreContext = createContext<DashboardStore | null>(null)

export function useDashboard<T> (selector: (state: DashboardState) => T): T {
  const store = useContext(DashboardStoreContext)
  if (store === null) throw new Error('useDashboard needs a DashboardStoreContext provider (see main.tsx)')
  return useStore(store, selector)
}
