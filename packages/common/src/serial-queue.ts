// Runs tasks one at a time in arrival order: the partition's single writer. A failed task does
// not stop later ones; its caller gets the rejection.
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()
  #pending = 0

  get pending (): number { return this.#pending }

  run<T> (task: () => Promise<T>): Promise<T> {
    this.#pending++
    const result = this.#tail.then(task).finally(() => { this.#pending-- })
    // The chain must keep going whatever this task did; its caller sees the outcome through `result`.
    this.#tail = result.then(() => undefined, () => undefined)
    return result
  }
}
