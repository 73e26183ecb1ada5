// @brook/common: the small pieces several Brook packages share. Nothing here knows Kafka.
export { type Logger, type LogFn, silentLogger } from './logger.js'
export { SerialQueue } from './serial-queue.js'
export { BufferPool, Lease, MIN_POOLED, MAX_POOLED } from './buffer-pool.js'
export { type Clock, type KeyedTimer, systemClock, SystemTimer, ManualTime } from './time/keyed-timer.js'
export { TimerWheel, type TimerWheelOptions, type TimerHandle } from './time/timer-wheel.js'
export { type Rng, prng } from './seeded-random.js'
