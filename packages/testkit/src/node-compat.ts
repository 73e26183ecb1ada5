// @platformatic/kafka 2.x targets Node 22+ and calls Promise.withResolvers, which Node 20 (the
// project's floor) lacks. Tests install this spec-equivalent shim before using that client.

interface WithResolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

export function ensurePromiseWithResolvers (): void {
  const ctor = Promise as PromiseConstructor & { withResolvers?: <T>() => WithResolvers<T> }
  if (typeof ctor.withResolvers === 'function') return
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T> (): WithResolvers<T> {
      let resolve!: WithResolvers<T>['resolve']
      let reject!: WithResolvers<T>['reject']
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}
