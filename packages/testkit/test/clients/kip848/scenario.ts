// The KIP-848 membership scenario shared by the real-client tests: three members share a
// six-partition topic, one leaves, one is killed (SIGKILL), one joins. Each member is a child
// process (./rdkafka-member.ts or ./platformatic-member.ts) reporting its events on stdout.
//
// Checked throughout: the broker never shows a partition in two members' assignments
// (ConsumerGroupDescribe polled every 25 ms), and a member never reports taking a partition
// another live member still reports owning. Checked per phase: while membership is stable every
// message produced is read exactly once; at the end nothing produced was lost.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { consumerGroupDescribeApi, decodeResponseFrame, encodeRequestFrame, findCoordinatorApi } from '@brook/protocol'
import { RawConnection, type TestBroker, waitFor } from '@brook/testkit'

export const PARTITIONS = 6
const PER_PHASE = 300
/** How long shares must stay unchanged before membership counts as stable. */
const SETTLE_MS = 1500

export interface Member {
  name: string
  child: ChildProcess
  owned: Set<number>
  read: Array<{ p: number, v: number }>
  alive: boolean
  ready: Promise<void>
}

export class Scenario {
  readonly members: Member[] = []
  readonly violations: string[] = []
  readonly allRead: number[] = []
  produced = 0
  #polling = true
  #poller: Promise<void> | undefined

  constructor (readonly broker: TestBroker, readonly script: 'rdkafka-member' | 'platformatic-member', readonly topic: string, readonly group: string) {}

  spawn (name: string): Member {
    const path = fileURLToPath(new URL(`./${this.script}.js`, import.meta.url))
    const child = spawn(process.execPath, [path, this.broker.bootstrap, this.group, this.topic], { stdio: ['pipe', 'pipe', 'inherit'] })
    let resolveReady!: () => void
    let rejectReady!: (err: Error) => void
    const ready = new Promise<void>((resolve, reject) => { resolveReady = resolve; rejectReady = reject })
    const member: Member = { name, child, owned: new Set(), read: [], alive: true, ready }
    createInterface({ input: child.stdout }).on('line', (line) => {
      let ev: { ev: string, ps?: number[], p?: number, v?: string }
      try {
        ev = JSON.parse(line) as typeof ev
      } catch {
        return // a client library's own stdout output, not an event
      }
      if (ev.ev === 'ready') resolveReady()
      if (ev.ev === 'assign') {
        for (const p of ev.ps ?? []) {
          const other = this.members.find((m) => m !== member && m.alive && m.owned.has(p))
          if (other !== undefined) this.violations.push(`${name} took partition ${p} still owned by ${other.name}`)
          member.owned.add(p)
        }
      }
      if (ev.ev === 'revoke') for (const p of ev.ps ?? []) member.owned.delete(p)
      if (ev.ev === 'msg') {
        member.read.push({ p: ev.p ?? -1, v: Number(ev.v) })
        this.allRead.push(Number(ev.v))
      }
    })
    child.on('exit', (code, signal) => {
      member.alive = false
      rejectReady(new Error(`member ${name} exited (${String(code ?? signal)}) before it was ready`))
    })
    this.members.push(member)
    return member
  }

  live (): Member[] {
    return this.members.filter((m) => m.alive)
  }

  /** Waits until the live members report an even split of all partitions. */
  /**
   * Waits until `count` members share the partitions evenly and have kept the same shares for
   * SETTLE_MS: a client may still deliver a fetch of a partition it just gave up, so membership
   * counts as stable only once no ownership changed for a while.
   */
  async balanced (count: number): Promise<void> {
    let shares = ''
    let since = Date.now()
    await waitFor(() => {
      const live = this.live()
      const now = live.map((m) => [...m.owned].sort().join(',')).join('|')
      if (now !== shares) { shares = now; since = Date.now() }
      if (live.length !== count) return false
      const all = new Set(live.flatMap((m) => [...m.owned]))
      const even = all.size === PARTITIONS && live.every((m) => m.owned.size === PARTITIONS / count)
      return even && Date.now() - since >= SETTLE_MS
    }, 60_000, { message: `${count} members sharing ${PARTITIONS} partitions evenly for ${SETTLE_MS} ms`, intervalMs: 50 })
  }

  async produce (producer: ReturnType<Kafka['producer']>): Promise<number[]> {
    const values = Array.from({ length: PER_PHASE }, (_, i) => this.produced + i)
    this.produced += PER_PHASE
    await producer.send({ topic: this.topic, acks: -1, messages: values.map((v) => ({ key: `k${v}`, value: String(v), partition: v % PARTITIONS })) })
    return values
  }

  async readAll (values: number[]): Promise<void> {
    await waitFor(() => { const got = new Set(this.allRead); return values.every((v) => got.has(v)) }, 60_000, { message: 'every produced message read', intervalMs: 50 })
  }

  /** Each of `values` read exactly once (membership was stable while they were produced and read). */
  assertReadOnce (values: number[]): void {
    const counts = new Map<number, number>()
    for (const v of this.allRead) counts.set(v, (counts.get(v) ?? 0) + 1)
    const twice = values.filter((v) => (counts.get(v) ?? 0) > 1)
    assert.deepEqual(twice, [], 'messages read twice while membership was stable')
  }

  /** Polls ConsumerGroupDescribe on the coordinator and records any partition in two assignments. */
  startBrokerCheck (): void {
    this.#poller = (async () => {
      const conn = await RawConnection.connect(this.broker.host, this.broker.port)
      let correlation = 1
      const call = async <Req, Res>(api: Parameters<typeof encodeRequestFrame<Req>>[2], version: number, body: Req, resApi: typeof api & { response: unknown }): Promise<Res> => {
        for (const b of encodeRequestFrame(correlation++, 'kip848-check', api, version, body)) conn.write(b)
        const frame = await conn.nextFrame(5000)
        if (frame === undefined) throw new Error('connection closed')
        return decodeResponseFrame(frame, resApi as never, version).body as Res
      }
      await call(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: [this.group] }, findCoordinatorApi)
      while (this.#polling) {
        const res = await call<unknown, { groups: Array<{ members: Array<{ memberId: string, assignment: { topicPartitions: Array<{ partitions: number[] }> } }> }> }>(
          consumerGroupDescribeApi, 1, { groupIds: [this.group], includeAuthorizedOperations: false }, consumerGroupDescribeApi)
        const owner = new Map<number, string>()
        for (const m of res.groups[0]?.members ?? []) {
          for (const t of m.assignment.topicPartitions) {
            for (const p of t.partitions) {
              const other = owner.get(p)
              if (other !== undefined) this.violations.push(`broker: partition ${p} assigned to ${other} and ${m.memberId}`)
              owner.set(p, m.memberId)
            }
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      conn.destroy()
    })()
  }

  async stop (): Promise<void> {
    this.#polling = false
    await this.#poller
    for (const m of this.members) if (m.alive) m.child.kill('SIGKILL')
  }
}

/** The whole scenario against one client implementation. */
export async function runMembershipScenario (broker: TestBroker, script: Scenario['script']): Promise<Scenario> {
  const topic = `kip848-${script}`
  const group = `kip848-group-${script}`
  const kafka = new Kafka({ clientId: 'kip848-producer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  await admin.connect()
  await producer.connect()
  const s = new Scenario(broker, script, topic, group)
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
    s.startBrokerCheck()
    const [a, b] = [s.spawn('a'), s.spawn('b'), s.spawn('c')]
    await Promise.all(s.members.map((m) => m.ready))
    await s.balanced(3)

    const phase1 = await s.produce(producer)
    await s.readAll(phase1)
    s.assertReadOnce(phase1)

    // a leaves cleanly: commits, gives its partitions back, b and c share the six.
    a.child.stdin!.write('leave\n')
    await waitFor(() => !a.alive, 30_000, { message: 'a closed' })
    await s.balanced(2)
    const phase2 = await s.produce(producer)
    await s.readAll(phase2)
    s.assertReadOnce([...phase1, ...phase2])

    // b is killed: c gets everything once b's session times out; nothing is lost (b's last
    // uncommitted messages may be read again: membership was not stable).
    b.child.kill('SIGKILL')
    await waitFor(() => !b.alive, 10_000, { message: 'b dead' })
    const phase3 = await s.produce(producer)
    await s.balanced(1)
    await s.readAll(phase3)

    // d joins: c and d share the six again.
    s.spawn('d')
    await s.balanced(2)
    const phase4 = await s.produce(producer)
    await s.readAll(phase4)
    s.assertReadOnce(phase4)

    const got = new Set(s.allRead)
    assert.deepEqual(Array.from({ length: s.produced }, (_, i) => i).filter((v) => !got.has(v)), [], 'nothing lost')
    assert.deepEqual(s.violations, [], 'a partition had two owners')
    return s
  } finally {
    await s.stop()
    await producer.disconnect()
    await admin.disconnect()
  }
}
