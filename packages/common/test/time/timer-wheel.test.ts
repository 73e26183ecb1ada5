import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualTime } from '../../src/time/keyed-timer.js'
import { TimerWheel } from '../../src/time/timer-wheel.js'

function manualWheel (tickMs = 1, wheelSize = 8): { clock: ManualTime, wheel: TimerWheel } {
  const clock = new ManualTime(10_000)
  return { clock, wheel: new TimerWheel({ tickMs, wheelSize, clock, selfDriven: false }) }
}

test('a task runs when its deadline is reached, not before, across overflow wheels', { timeout: 5_000 }, () => {
  const { clock, wheel } = manualWheel(1, 8)
  const ran: Array<[number, number]> = []
  // Deadlines within the first wheel (8 ms), the second (64 ms) and the third (512 ms).
  for (const delay of [3, 7, 20, 63, 100, 400, 511]) {
    wheel.schedule(delay, () => ran.push([delay, clock.now()]))
  }
  assert.equal(wheel.size, 7)
  for (let t = 0; t <= 600; t++) {
    wheel.advanceTo(clock.now())
    clock.advance(1)
  }
  assert.deepEqual(ran.map(([delay]) => delay), [3, 7, 20, 63, 100, 400, 511])
  for (const [delay, at] of ran) assert.equal(at, 10_000 + delay, `task of ${delay} ms ran on time`)
  assert.equal(wheel.size, 0)
})

test('a cancelled task never runs; cancel after running reports false', { timeout: 5_000 }, () => {
  const { clock, wheel } = manualWheel()
  let runs = 0
  const keep = wheel.schedule(5, () => runs++)
  const drop = wheel.schedule(5, () => { throw new Error('cancelled task ran') })
  assert.equal(drop.cancel(), true)
  assert.equal(drop.cancel(), false)
  clock.advance(5)
  assert.equal(wheel.advanceTo(), 1)
  assert.equal(runs, 1)
  assert.equal(keep.cancel(), false)
  assert.equal(wheel.size, 0)
})

test('an already due task runs on the next advance; a throwing task does not stop the others', { timeout: 5_000 }, () => {
  const { clock, wheel } = manualWheel()
  const ran: string[] = []
  wheel.scheduleAt(clock.now() - 50, () => ran.push('past'))
  wheel.schedule(2, () => { throw new Error('boom') })
  wheel.schedule(2, () => ran.push('after-boom'))
  assert.equal(wheel.advanceTo(), 1)
  clock.advance(2)
  assert.throws(() => wheel.advanceTo(), /boom/)
  assert.deepEqual(ran, ['past', 'after-boom'])
})

test('many random timers with a coarse tick each run within one tick of their deadline, exactly once', { timeout: 10_000 }, () => {
  const { clock, wheel } = manualWheel(10, 16)
  let seed = 42
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
  const start = clock.now()
  const runs = new Map<number, number>()
  const cancelled = new Set<number>()
  const handles = []
  for (let i = 0; i < 5_000; i++) {
    const delay = Math.floor(random() * 100_000)
    handles.push(wheel.schedule(delay, () => {
      assert.equal(runs.has(i), false, 'ran once')
      const late = clock.now() - (start + delay)
      assert.ok(late >= 0 && late < 10, `task ${i} ran ${late} ms after its deadline`)
      runs.set(i, clock.now())
    }))
  }
  for (let i = 0; i < 5_000; i += 7) { handles[i]!.cancel(); cancelled.add(i) }
  while (wheel.size > 0) {
    const next = wheel.nextExpiration()
    assert.ok(next !== undefined)
    clock.advance(Math.max(1, next - clock.now()))
    wheel.advanceTo()
  }
  assert.equal(runs.size, 5_000 - cancelled.size)
  for (const i of cancelled) assert.equal(runs.has(i), false)
})

test('a self-driven wheel fires on the real clock', { timeout: 5_000 }, async () => {
  const wheel = new TimerWheel()
  // The wheel's own timer is unref'd and never keeps a process alive; this one keeps the test's.
  const keepAlive = setTimeout(() => {}, 4_000)
  const started = Date.now()
  const firedAt = await new Promise<number>((resolve) => wheel.schedule(20, () => resolve(Date.now())))
  clearTimeout(keepAlive)
  assert.ok(firedAt - started >= 19, `fired after ${firedAt - started} ms`)
  wheel.close()
})
