// Live data: a request repeated every few seconds while the page is visible, and the location
// hash as the router's state.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Polled<T> { data: T | null, error: string | null, reload: () => void, at: number }

/**
 * `load` now and every `everyMs` (paused while the tab is hidden); `deps` restart it, and what
 * was loaded for other deps is never shown for these (another topic's data, say).
 */
export function usePoll<T> (load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const key = JSON.stringify(deps)
  const [state, setState] = useState<{ key: string, data: T | null, error: string | null, at: number }>({ key, data: null, error: null, at: 0 })
  const loadRef = useRef(load)
  loadRef.current = load
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const run = async (): Promise<void> => {
      if (document.visibilityState !== 'hidden') {
        try {
          const data = await loadRef.current()
          if (!stopped) setState({ key, data, error: null, at: Date.now() })
        } catch (err) {
          if (!stopped) setState((s) => s.key === key ? { ...s, error: (err as Error).message } : { key, data: null, error: (err as Error).message, at: 0 })
        }
      }
      if (!stopped && everyMs > 0) timer = setTimeout(() => { void run() }, everyMs)
    }
    void run()
    return () => { stopped = true; clearTimeout(timer) }
  }, [key, tick])
  const reload = useCallback(() => { setTick((t) => t + 1) }, [])
  const current = state.key === key
  return { data: current ? state.data : null, error: current ? state.error : null, at: current ? state.at : 0, reload }
}

export function useHash (): string {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const on = (): void => { setHash(location.hash) }
    addEventListener('hashchange', on)
    return () => { removeEventListener('hashchange', on) }
  }, [])
  return hash
}

/**
 * Per-second rates from successive samples of a growing counter (a sum of end offsets), kept
 * per key across renders: the first sample gives no rate.
 */
const samples = new Map<string, { value: number, at: number, rate: number | null }>()
export function rateOf (key: string, value: number, at: number): number | null {
  const last = samples.get(key)
  if (last === undefined) { samples.set(key, { value, at, rate: null }); return null }
  if (at <= last.at) return last.rate
  const r = Math.max(0, (value - last.value) / ((at - last.at) / 1000))
  samples.set(key, { value, at, rate: r })
  return r
}
