// The case of the record-store conformance suites (ACLs, quotas, SCRAM credentials): each case
// gets a fresh subject and one store opened on it, both closed afterwards whatever happened.
import { it } from 'node:test'

interface StoreSubject {
  open: () => Promise<{ close: () => Promise<void> }>
  cleanup: () => Promise<void>
}

type Opened<S extends StoreSubject> = Awaited<ReturnType<S['open']>>

export function storeCase<S extends StoreSubject> (make: () => Promise<S>): (title: string, fn: (s: S, a: Opened<S>) => Promise<void>) => void {
  return (title, fn) => {
    it(title, { timeout: 30_000 }, async () => {
      const s = await make()
      const a = await s.open() as Opened<S>
      try {
        await fn(s, a)
      } finally {
        await a.close()
        await s.cleanup()
      }
    })
  }
}
