// Topic admin requests (CreateTopics, CreatePartitions, DeleteTopics) carry a timeoutMs: Kafka
// answers REQUEST_TIMED_OUT for an operation not done by then and lets it finish in the
// background. Topic changes run one at a time, so without this a request queued behind a large
// one would wait for it whatever its timeoutMs.
import { ErrorCode } from '@brook/protocol'
import type { Logger } from '@brook/common'
import { KafkaError } from '../errors.js'

/** `operation`'s result, or REQUEST_TIMED_OUT once `timeoutMs` (> 0) has passed; <= 0 waits. */
export async function withinTimeout<T> (operation: Promise<T>, timeoutMs: number, what: string, logger: Logger): Promise<T> {
  if (!(timeoutMs > 0)) return await operation
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `Timed out waiting for ${what} after ${timeoutMs} ms; it may still complete.`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([operation, expired])
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.REQUEST_TIMED_OUT) {
      // Answered already: a later failure of the operation is only logged.
      operation.catch((late: unknown) => { logger.warn({ err: late, what }, 'a topic operation failed after its request timed out') })
    }
    throw err
  } finally {
    clearTimeout(timer)
  }
}
