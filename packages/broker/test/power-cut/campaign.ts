// The power-cut campaign: the broker's partitions (Partition over the storage engine, as the
// produce handler drives them: validateRecords, then append with durable = acks=all, then the
// leader's commit wait) on the fault-injecting in-memory file system. Each round starts on an
// empty disk and lives through one to three power cuts, each at a random file-system operation,
// with a random model of what the disk kept (unsynced data dropped, torn at a byte, or written
// back in random pieces; unsynced directory changes dropped or a prefix of them kept).
// After every recovery it checks, through the storage engine's own readers:
//   - every acks=all batch the broker acknowledged is there, at its offset, byte for byte (the
//     base offset and leader epoch the broker stamps checked by value), and nothing below the
//     log start unless DeleteRecords or retention asked for a log start covering it;
//   - the log holds only batches that were produced, each once, each producer's in order, with
//     contiguous offsets: recovery cut only what was never acknowledged;
//   - every segment file is whole: framing and CRC of every batch, nothing after the last one;
//   - the offset and time indexes point at batches that are there, and lookups by offset and
//     by timestamp give what a scan gives;
//   - the leader-epoch cache and its checkpoint file match the epochs of the batches;
//   - the idempotent producers' retries of their unanswered batches are deduplicated when the
//     batch survived and appended when not, and their next sequence is accepted.
// bench/reliability/power-cut-campaign.mjs runs it long; a short seeded run is in the tests.
import { decodeBatchSync, batchBaseOffset, batchLastOffset, batchSize, buildBatchSync, buildEndTxnMarker, Compression, hasValidCrc,
  ControlType, isControlBatch, LOG_OVERHEAD, MAGIC, MIN_BATCH_LENGTH, PARTITION_LEADER_EPOCH, readBatchHeader, readControlMarker, validateRecords } from '@brook/protocol'
import { prng } from '@brook/common'
import { type Log, LogManager, type LogConfig, MemoryFileSystem, type PowerCutOptions } from '@brook/storage'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { toLogConfig } from '../../src/config/topic-config.js'
import { Partition } from '../../src/partition/partition.js'
import { FetchPurgatory } from '../../src/purgatory/delayed-fetch.js'
import { LeaderReplication } from '../../src/replication/leader-replication.js'

export interface CampaignOptions {
  rounds: number
  seed: number
  /** Runs rounds firstRound .. firstRound + rounds - 1 of the seed (to rerun one failed round). */
  firstRound?: number
  /** Progress lines (one per failure, and one every `progressEvery` rounds). */
  log?: (line: string) => void
  progressEvery?: number
}

export interface CampaignSummary {
  rounds: number
  powerCuts: number
  /** Lives ended by a process crash (kill -9: the page cache survives) instead of a power cut. */
  processCrashes: number
  /** Recoveries interrupted by a second cut or crash (then recovered again). */
  recoveriesInterrupted: number
  /** acks=1 batches answered before a process crash, all found again. */
  answeredKeptAfterCrash: number
  /** Transactions ended by their marker during a life, and completed by the coordinator after a restart. */
  transactions: number
  transactionsCompletedAfterRestart: number
  /** Cuts per data mode / directory mode. */
  modes: Record<string, number>
  batchesProduced: number
  /** acks=all batches answered (retries included). */
  batchesAcked: number
  ackedLost: number
  /** Batches never answered (acks=1 or in flight at the cut): kept / cut by recovery. */
  unackedKept: number
  unackedDropped: number
  idempotentRetries: number
  retriesDeduplicated: number
  segmentsScanned: number
  batchesScanned: number
  failures: string[]
  elapsedMs: number
}

function describe (err: unknown): string {
  return err instanceof Error ? err.message : JSON.stringify(err)
}

/** The control record of a marker batch says ABORT (type 0) or COMMIT (type 1). */
function isAbortMarker (batch: Buffer): boolean {
  return readControlMarker(batch)?.type === ControlType.Abort
}

function randInt (random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}

function pick<T> (random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

const LOG_DIR = '/data'
const PRODUCE_VERSION = 9
/** One broker id; the replicated partition's ISR is itself alone (replication factor 1). */
const NODE_ID = 1
const MAX_IN_FLIGHT = 5

interface SentBatch {
  id: string
  producer: string
  /** Base sequence for an idempotent producer, send order for a plain one. */
  n: number
  /** Send order within the producer (sequences restart with a new producer epoch). */
  order: number
  /** The transaction it belongs to, or for a marker closes. */
  txn: number | null
  marker: boolean
  /** The bytes as produced (before the broker patched offsets and epoch into them). */
  bytes: Buffer
  durable: boolean
  /** Leader epochs of every attempt (a retry may carry a later one). */
  epochs: number[]
  /** Answered acks=all (durable) appends only. */
  acked: { baseOffset: number, lastOffset: number } | null
  /** Any answered append (acks=1 too), and in which life: a process crash must keep them all. */
  answered: { baseOffset: number, lastOffset: number } | null
  answeredInLife: number
  settled: boolean
  /** Unanswered, and counted as kept or cut by the recovery after it. */
  judged: boolean
}

interface Producer {
  name: string
  idempotent: boolean
  /** Transactional (implies idempotent): batches in transactions closed by markers; a new epoch after each restart. */
  transactional: boolean
  producerId: bigint
  producerEpoch: number
  next: number
  batches: SentBatch[]
  /** Transactions begun; the open one (data written, marker not answered) and its outcome once decided. */
  txns: number
  open: { txn: number, commit: boolean | null } | null
}

/** What one partition holds across the lives of a round (the Partition object is per life). */
interface Target {
  topic: string
  index: number
  replicated: boolean
  epoch: number
  producers: Producer[]
  byId: Map<string, SentBatch>
  /**
   * The highest log start offset asked for (DeleteRecords, answered or not: a request cut by the
   * power may still have taken effect) or reached by retention.
   */
  deletedBelow: number
}

interface Live {
  target: Target
  log: Log
  partition: Partition
}

interface ScannedBatch {
  base: number
  last: number
  position: number
  size: number
  maxTimestamp: number
  epoch: number
  bytes: Buffer
  id: string
  /** Offsets and timestamps of the records. */
  records: Array<{ offset: number, timestamp: number }>
}

class RoundFailure extends Error {}

export async function runPowerCutCampaign (options: CampaignOptions): Promise<CampaignSummary> {
  const started = Date.now()
  const summary: CampaignSummary = {
    rounds: 0,
    powerCuts: 0,
    processCrashes: 0,
    recoveriesInterrupted: 0,
    answeredKeptAfterCrash: 0,
    transactions: 0,
    transactionsCompletedAfterRestart: 0,
    modes: {},
    batchesProduced: 0,
    batchesAcked: 0,
    ackedLost: 0,
    unackedKept: 0,
    unackedDropped: 0,
    idempotentRetries: 0,
    retriesDeduplicated: 0,
    segmentsScanned: 0,
    batchesScanned: 0,
    failures: [],
    elapsedMs: 0
  }
  const first = options.firstRound ?? 0
  for (let round = first; round < first + options.rounds; round++) {
    const seed = (options.seed * 1_000_003 + round) >>> 0
    try {
      await new Round(seed, summary).run()
    } catch (err) {
      const line = `round ${round} (rerun: --seed ${options.seed} --first-round ${round} --rounds 1): ${describe(err)}`
      summary.failures.push(line)
      options.log?.(`FAIL ${line}`)
    }
    summary.rounds++
    const every = options.progressEvery ?? 0
    if (every > 0 && summary.rounds % every === 0) {
      options.log?.(`${summary.rounds} rounds, ${summary.powerCuts} cuts, ${summary.batchesAcked} acked, ${summary.ackedLost} lost, ${summary.failures.length} failed rounds`)
    }
  }
  summary.elapsedMs = Date.now() - started
  return summary
}

class Round {
  readonly #random: () => number
  readonly #fs = new MemoryFileSystem()
  readonly #summary: CampaignSummary
  readonly #targets: Target[]
  readonly #configs: Map<string, LogConfig>
  #life = 0
  #stage = 'start'
  /**
   * Record timestamps start here: near the wall clock, or the producers' state would expire at
   * load (producer.id.expiration.ms counts from their batches' timestamps, as in Kafka).
   */
  readonly #startMs = Date.now()
  /** The life that ended with a process crash, whose answered acks=1 batches must all be there; null after a power cut. */
  #keepAnswered: number | null = null

  constructor (seed: number, summary: CampaignSummary) {
    this.#random = prng(seed)
    this.#summary = summary
    const random = this.#random
    const broker = new BrokerConfig({ 'file.delete.delay.ms': '0' })
    const segment = {
      'segment.bytes': String(randInt(random, 4_000, 16_000)),
      'segment.index.bytes': String(8 * randInt(random, 4, 40)),
      'index.interval.bytes': String(randInt(random, 100, 1_000)),
      // Only retention by size, which the seed decides alone.
      'retention.ms': '-1'
    }
    this.#configs = new Map([
      ['events', toLogConfig(segment, broker)],
      ['bounded', toLogConfig({ ...segment, 'retention.bytes': String(randInt(random, 4_000, 20_000)) }, broker)]
    ])
    const target = (topic: string, index: number, replicated: boolean): Target => {
      const key = `${topic}-${index}`
      const producer = (name: string, idempotent: boolean, transactional: boolean, producerId: bigint): Producer =>
        ({ name: `${key}/${name}`, idempotent, transactional, producerId, producerEpoch: 0, next: 0, batches: [], txns: 0, open: null })
      const producers: Producer[] = [
        producer('idem', true, false, BigInt(1000 + index + (topic === 'bounded' ? 100 : 0))),
        producer('plain', false, false, -1n)
      ]
      // Transactions on a partition whose log start never moves (markers stay with their data).
      if (topic === 'events' && index === 0) producers.push(producer('txn', true, true, 3000n))
      return { topic, index, replicated, epoch: replicated ? 1 : 0, producers, byId: new Map(), deletedBelow: 0 }
    }
    this.#targets = [target('events', 0, false), target('events', 1, true), target('bounded', 0, false)]
  }

  #fail (message: string): never {
    throw new RoundFailure(`life ${this.#life} ${this.#stage}: ${message}`)
  }

  async run (): Promise<void> {
    const lives = randInt(this.#random, 1, 3)
    for (this.#life = 0; this.#life < lives; this.#life++) {
      this.#stage = 'recovery'
      const { manager, live } = await this.#open()
      if (this.#life > 0) {
        this.#stage = 'check after recovery'
        await this.#check(live, true)
        this.#stage = 'idempotent retries'
        await this.#retry(live)
        this.#stage = 'transactions completed'
        await this.#completeTransactions(live)
      }
      this.#stage = 'workload'
      await this.#workload(manager, live)
    }
    this.#life = lives
    this.#stage = 'final recovery'
    const { manager, live } = await this.#open()
    this.#stage = 'final check'
    await this.#check(live, true)
    this.#stage = 'final retries'
    await this.#retry(live)
    await this.#completeTransactions(live)
    await this.#check(live, false)
    this.#stage = 'clean restart'
    await manager.close()
    const reopened = await this.#open()
    await this.#check(reopened.live, false)
    await reopened.manager.close()
  }

  #cutOptions (): PowerCutOptions {
    const random = this.#random
    return { mode: pick(random, ['drop', 'torn', 'reorder'] as const), directories: pick(random, ['drop', 'prefix'] as const), random }
  }

  /** Opens the log dir (recovery), sometimes interrupted by another power cut or crash, then opened again. */
  async #openManager (): Promise<LogManager> {
    const fs = this.#fs
    for (let attempt = 0; ; attempt++) {
      const interrupt = attempt === 0 && this.#life > 0 && this.#random() < 0.3 ? pick(this.#random, ['power', 'crash'] as const) : null
      if (interrupt === 'power') fs.cutPowerAfter(randInt(this.#random, 1, 40), this.#cutOptions())
      else if (interrupt === 'crash') fs.crashAfter(randInt(this.#random, 1, 40))
      const manager = new LogManager({
        fs,
        logDirs: [LOG_DIR],
        defaults: this.#configs.get('events')!,
        topicConfig: (topic) => this.#configs.get(topic) ?? this.#configs.get('events')!,
        scheduler: false
      })
      let error: unknown = null
      try {
        await manager.open()
      } catch (err) {
        error = err
      }
      if (fs.powerIsOff) {
        await manager.abandon()
        fs.powerOn()
        this.#summary.recoveriesInterrupted++
        // A power cut during recovery may take the unsynced acks=1 data of a crash with it.
        if (interrupt === 'power') this.#keepAnswered = null
        continue
      }
      // Disarms an interruption that did not come.
      fs.powerOn()
      if (error !== null) this.#fail(`the log manager did not open: ${describe(error)}`)
      return manager
    }
  }

  async #open (): Promise<{ manager: LogManager, live: Live[] }> {
    const manager = await this.#openManager()
    const purgatory = new FetchPurgatory()
    const live: Live[] = []
    for (const target of this.#targets) {
      const existing = manager.getLog(target.topic, target.index)
      if (existing === undefined && this.#life > 0 && target.producers.some((p) => p.batches.some((b) => b.acked !== null))) {
        this.#fail(`${target.topic}-${target.index}: the partition is gone, with acknowledged batches`)
      }
      const log = existing ?? await manager.createOrGetLog(target.topic, target.index, this.#configs.get(target.topic))
      const partition = new Partition(log, purgatory, { replicated: target.replicated })
      if (target.replicated) await this.#lead(partition, target)
      live.push({ target, log, partition })
    }
    return { manager, live }
  }

  /** Leadership as the cluster's partition sync takes it: the epoch's start offset first, then lead. */
  async #lead (partition: Partition, target: Target): Promise<void> {
    await partition.log.assignEpochStartOffset(target.epoch)
    partition.lead(target.epoch, new LeaderReplication(() => partition.log, NODE_ID, target.epoch, [NODE_ID], [NODE_ID], 0, () => {}, () => {}, Date.now()))
  }

  #batch (target: Target, producer: Producer, durable: boolean): SentBatch {
    const random = this.#random
    const count = randInt(random, 1, 6)
    // An idempotent producer's sequence moves by the records of each batch.
    const n = producer.next
    producer.next += producer.idempotent ? count : 1
    const id = producer.transactional ? `${producer.name}#e${producer.producerEpoch}s${n}` : `${producer.name}#${n}`
    const now = this.#startMs + this.#summary.batchesProduced * 10
    const records = Array.from({ length: count }, (_v, j) => ({
      key: `${id}:${j}`,
      value: Buffer.alloc(randInt(random, 0, 400), 97 + (n % 26)),
      timestamp: BigInt(now + randInt(random, -500, 500)),
      headers: random() < 0.2 ? [{ key: 'h', value: Buffer.from(id) }] : []
    }))
    const bytes = buildBatchSync({
      records,
      compression: random() < 0.15 ? Compression.Gzip : Compression.None,
      transactional: producer.transactional,
      ...(producer.idempotent ? { producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: n } : {})
    })
    return this.#sent(target, producer, id, n, bytes, durable, producer.open?.txn ?? null, false)
  }

  #sent (target: Target, producer: Producer, id: string, n: number, bytes: Buffer, durable: boolean, txn: number | null, marker: boolean): SentBatch {
    this.#summary.batchesProduced++
    const sent: SentBatch = {
      id, producer: producer.name, n, order: producer.batches.length, txn, marker, bytes, durable, epochs: [],
      acked: null, answered: null, answeredInLife: -1, settled: false, judged: false
    }
    producer.batches.push(sent)
    target.byId.set(id, sent)
    return sent
  }

  /** The transaction coordinator's marker for `txn`, written as the broker writes it (durable, origin coordinator). */
  async #writeMarker (l: Live, producer: Producer, txn: number, commit: boolean): Promise<SentBatch> {
    const bytes = buildEndTxnMarker({ producerId: producer.producerId, producerEpoch: producer.producerEpoch, commit, coordinatorEpoch: 0, timestamp: BigInt(this.#startMs) })
    const sent = this.#sent(l.target, producer, `${producer.name}/marker#${txn}`, -1, bytes, true, txn, true)
    sent.epochs.push(l.partition.leaderEpoch)
    const r = await l.partition.append(Buffer.from(bytes), true, 'coordinator')
    sent.acked = { baseOffset: r.baseOffset, lastOffset: r.lastOffset }
    sent.answered = sent.acked
    sent.answeredInLife = this.#life
    sent.settled = true
    this.#summary.batchesAcked++
    return sent
  }

  /** The produce handler's path for one partition: validate, append (durable for acks=all), wait for the commit. */
  async #produce (live: Live, sent: SentBatch): Promise<{ baseOffset: number, lastOffset: number }> {
    const records = Buffer.from(sent.bytes)
    const check = validateRecords(records, { singleBatch: true, produceVersion: PRODUCE_VERSION, maxBatchBytes: live.log.config.segmentBytes + 1_000_000 })
    if (!check.ok) this.#fail(`${sent.id}: the campaign built an invalid batch: ${check.message ?? check.errorCode}`)
    sent.epochs.push(live.partition.leaderEpoch)
    const result = await live.partition.append(records, sent.durable)
    const replication = live.partition.replication
    if (replication !== null && sent.durable) {
      const code = await replication.waitForCommit(result.lastOffset + 1, 1, 30_000)
      if (code !== 0) throw new Error(`commit wait answered error ${code}`)
    }
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset }
  }

  async #workload (manager: LogManager, live: Live[]): Promise<void> {
    const random = this.#random
    const fs = this.#fs
    const budget = randInt(random, 20, 160)
    let left = budget
    const crash = random() < 0.25
    const cut = this.#cutOptions()
    const cutKey = crash ? 'process crash' : `${cut.mode ?? 'drop'}/${cut.directories ?? 'drop'}`
    this.#summary.modes[cutKey] = (this.#summary.modes[cutKey] ?? 0) + 1
    if (crash) {
      this.#summary.processCrashes++
      fs.crashAfter(randInt(random, 1, budget * 5))
    } else {
      this.#summary.powerCuts++
      fs.cutPowerAfter(randInt(random, 1, budget * 5), cut)
    }
    const unexpected: string[] = []
    const failedWithPower = (what: string, err: unknown): void => {
      if (!fs.powerIsOff) unexpected.push(`${what}: ${describe(err)}`)
    }
    const tick = async (): Promise<void> => { if (random() < 0.5) await new Promise((resolve) => { setImmediate(resolve) }) }

    const runTransactions = async (l: Live, producer: Producer): Promise<void> => {
      while (left > 0 && !fs.powerIsOff && unexpected.length === 0) {
        const txn = producer.txns++
        producer.open = { txn, commit: null }
        for (let i = randInt(random, 1, 3); i > 0; i--) {
          left--
          const sent = this.#batch(l.target, producer, true)
          try {
            const r = await this.#produce(l, sent)
            sent.answered = r
            sent.answeredInLife = this.#life
            sent.acked = r
            this.#summary.batchesAcked++
          } catch (err) {
            failedWithPower(`append ${sent.id}`, err)
            return
          } finally {
            sent.settled = true
          }
          await tick()
        }
        producer.open.commit = random() < 0.6
        try {
          await this.#writeMarker(l, producer, txn, producer.open.commit)
        } catch (err) {
          failedWithPower(`marker of ${producer.name} transaction ${txn}`, err)
          return
        }
        producer.open = null
        this.#summary.transactions++
        await tick()
      }
    }

    const runProducer = async (l: Live, producer: Producer): Promise<void> => {
      if (producer.transactional) {
        await runTransactions(l, producer)
        return
      }
      const inFlight = new Set<Promise<void>>()
      const limit = producer.idempotent ? MAX_IN_FLIGHT : randInt(random, 1, 3)
      while (left > 0 && !fs.powerIsOff && unexpected.length === 0) {
        left--
        const sent = this.#batch(l.target, producer, producer.idempotent || random() < 0.6)
        const p = this.#produce(l, sent).then((r) => {
          sent.answered = r
          sent.answeredInLife = this.#life
          if (sent.durable) {
            sent.acked = r
            this.#summary.batchesAcked++
          }
        }, (err: unknown) => { failedWithPower(`append ${sent.id}`, err) }).finally(() => {
          sent.settled = true
          inFlight.delete(p)
        })
        inFlight.add(p)
        if (inFlight.size >= limit) await Promise.race(inFlight)
        await tick()
      }
      await Promise.all(inFlight)
    }

    const maintenance = async (): Promise<void> => {
      while (left > 0 && !fs.powerIsOff && unexpected.length === 0) {
        await new Promise((resolve) => { setImmediate(resolve) })
        const roll = random()
        try {
          if (roll < 0.05) {
            await manager.checkpoint()
          } else if (roll < 0.08) {
            const l = pick(random, live.filter((x) => x.target.topic === 'events' && !x.target.producers.some((p) => p.transactional)))
            const hw = l.partition.offsets().highWatermark
            const to = randInt(random, l.log.logStartOffset, hw)
            l.target.deletedBelow = Math.max(l.target.deletedBelow, to)
            await l.partition.deleteRecordsBefore(to)
          } else if (roll < 0.12) {
            // A cut in the middle leaves the decision in memory: the log start it reached counts too.
            await manager.runRetention().finally(() => {
              for (const l of live) l.target.deletedBelow = Math.max(l.target.deletedBelow, l.log.logStartOffset)
            })
          } else if (roll < 0.15) {
            const l = live.find((x) => x.target.replicated)
            if (l !== undefined) {
              l.target.epoch += randInt(random, 1, 2)
              await this.#lead(l.partition, l.target)
            }
          }
        } catch (err) {
          failedWithPower('maintenance', err)
        }
      }
    }

    const everything = Promise.all([...live.flatMap((l) => l.target.producers.map(async (p) => { await runProducer(l, p) })), maintenance()])
    let timer: NodeJS.Timeout | undefined
    const hung = await Promise.race([
      everything.then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(true) }, 60_000) })
    ])
    clearTimeout(timer)
    if (hung) this.#fail('the workload hung (appends never settled after the power cut)')
    if (unexpected.length > 0) this.#fail(`failed without a power cut: ${unexpected[0]!}`)
    await manager.abandon()
    // Not reached by the armed cut: the power goes now, with whatever is still unsynced.
    if (!fs.powerIsOff && !crash) fs.powerCut(cut)
    fs.powerOn()
    this.#keepAnswered = crash ? this.#life : null
  }

  /** The idempotent producers resend what was never answered, in order, with the same sequences. */
  async #retry (live: Live[]): Promise<void> {
    for (const l of live) {
      const scan = new Map((await this.#scan(l)).map((b) => [b.id, b]))
      for (const producer of l.target.producers) {
        if (!producer.idempotent || producer.transactional) continue
        for (const sent of producer.batches) {
          if (sent.acked !== null) continue
          this.#summary.idempotentRetries++
          const before = scan.get(sent.id)
          let r: { baseOffset: number, lastOffset: number }
          try {
            r = await this.#produce(l, sent)
          } catch (err) {
            this.#fail(`${sent.id}: the retry was refused: ${describe(err)}`)
          }
          if (before !== undefined) {
            if (r.baseOffset !== before.base) this.#fail(`${sent.id}: a retry of a surviving batch answered offset ${r.baseOffset}, it is at ${before.base}`)
            this.#summary.retriesDeduplicated++
          }
          sent.acked = r
          sent.settled = true
          this.#summary.batchesAcked++
        }
      }
    }
  }

  /** Every batch of the log's segment files, read whole through the file system, framing and CRC checked. */
  async #scan (l: Live): Promise<ScannedBatch[]> {
    const out: ScannedBatch[] = []
    for (const segment of l.log.segments) {
      const { batches } = await this.#scanSegment(l, segment.path, segment.baseOffset)
      out.push(...batches)
    }
    return out
  }

  async #scanSegment (l: Live, path: string, segmentBase: number): Promise<{ batches: ScannedBatch[] }> {
    const key = `${l.target.topic}-${l.target.index}`
    // A segment never written to has no file yet: the log creates it on its first append.
    const buf = await this.#fs.exists(path) ? await this.#fs.readFile(path) : Buffer.alloc(0)
    const batches: ScannedBatch[] = []
    let pos = 0
    while (pos < buf.length) {
      if (pos + LOG_OVERHEAD + MIN_BATCH_LENGTH > buf.length) this.#fail(`${key} ${path}: ${buf.length - pos} stray bytes at ${pos}`)
      const size = batchSize(buf, pos)
      if (size < LOG_OVERHEAD + MIN_BATCH_LENGTH || pos + size > buf.length) this.#fail(`${key} ${path}: bad batch length at ${pos}`)
      const bytes = buf.subarray(pos, pos + size)
      if (bytes[MAGIC] !== 2) this.#fail(`${key} ${path}: magic ${bytes[MAGIC]} at ${pos}`)
      if (!hasValidCrc(bytes)) this.#fail(`${key} ${path}: CRC mismatch at ${pos}`)
      const base = batchBaseOffset(bytes)
      if (base < segmentBase) this.#fail(`${key} ${path}: batch ${base} below the segment base ${segmentBase}`)
      const decoded = decodeBatchSync(Buffer.from(bytes))
      const first = decoded.records[0]?.key?.toString() ?? ''
      batches.push({
        base,
        last: batchLastOffset(bytes),
        position: pos,
        size,
        maxTimestamp: Number(decoded.header.maxTimestamp),
        epoch: bytes.readInt32BE(PARTITION_LEADER_EPOCH),
        bytes: Buffer.from(bytes),
        // A marker has no key of ours: the transaction check names it.
        id: isControlBatch(bytes) ? '' : first.slice(0, first.lastIndexOf(':')),
        records: decoded.records.map((r) => ({ offset: Number(r.offset), timestamp: Number(r.timestamp) }))
      })
      pos += size
    }
    this.#summary.segmentsScanned++
    this.#summary.batchesScanned += batches.length
    return { batches }
  }

  async #check (live: Live[], afterCut: boolean): Promise<void> {
    for (const l of live) await this.#checkPartition(l, afterCut)
  }

  async #checkPartition (l: Live, afterCut: boolean): Promise<void> {
    const { log, target } = l
    const key = `${target.topic}-${target.index}`
    const logStart = log.logStartOffset
    const leo = log.logEndOffset
    const all: ScannedBatch[] = []
    let previousLast = -1
    for (const segment of log.segments) {
      const { batches } = await this.#scanSegment(l, segment.path, segment.baseOffset)
      for (const b of batches) {
        if (previousLast >= 0 && b.base !== previousLast + 1) this.#fail(`${key}: offsets jump from ${previousLast} to ${b.base}`)
        previousLast = b.last
      }
      // The indexes point at batches that are there.
      const offsetIndex = await segment.offsetIndex()
      for (let i = 0; i < offsetIndex.entries; i++) {
        const at = batches.find((b) => b.position === offsetIndex.positionAt(i))
        const offset = offsetIndex.offsetAt(i)
        if (at === undefined || offset < at.base || offset > at.last) this.#fail(`${key} ${segment.path}: offset index entry ${offset} -> ${offsetIndex.positionAt(i)} points at no batch holding it`)
      }
      const timeIndex = await segment.timeIndex()
      let previousTs = -Infinity
      for (let i = 0; i < timeIndex.entries; i++) {
        const ts = timeIndex.timestampAt(i)
        const offset = timeIndex.offsetAt(i)
        const at = batches.find((b) => offset >= b.base && offset <= b.last)
        if (at === undefined || at.maxTimestamp !== ts || ts < previousTs) this.#fail(`${key} ${segment.path}: time index entry ${ts} -> ${offset} does not match the batches`)
        previousTs = ts
      }
      // A rolled segment's time index ends with its largest timestamp (retention and lookups trust it).
      const largest = batches.reduce((max, b) => Math.max(max, b.maxTimestamp), -1)
      if (segment !== log.activeSegment && batches.length > 0 && (timeIndex.entries === 0 || timeIndex.timestampAt(timeIndex.entries - 1) !== largest)) {
        this.#fail(`${key} ${segment.path}: the rolled segment's time index ends at ${timeIndex.entries === 0 ? 'nothing' : timeIndex.timestampAt(timeIndex.entries - 1)}, its largest timestamp is ${largest}`)
      }
      all.push(...batches)
    }
    const lastBatch = all[all.length - 1]
    if (lastBatch !== undefined && lastBatch.last + 1 !== leo) this.#fail(`${key}: the log end ${leo} is not after the last batch ${lastBatch.last} (log start ${logStart}, segments ${log.segments.map((x) => `${x.baseOffset}+${x.size}`).join(' ')})`)
    if (lastBatch === undefined && leo !== log.activeSegment.baseOffset) this.#fail(`${key}: empty segments but log end ${leo}`)

    const txnState = await this.#checkTransactions(l, all)

    // Only produced batches, each once, each producer's in its order.
    const seen = new Map<string, ScannedBatch>()
    const lastN = new Map<string, number>()
    for (const b of all) {
      const sent = target.byId.get(b.id)
      if (sent === undefined) this.#fail(`${key}: batch at ${b.base} (${b.id}) was never produced`)
      if (seen.has(b.id)) this.#fail(`${key}: ${b.id} is in the log twice (${seen.get(b.id)!.base} and ${b.base})`)
      seen.set(b.id, b)
      if (sent.bytes.length !== b.bytes.length || !sent.bytes.subarray(PARTITION_LEADER_EPOCH + 4).equals(b.bytes.subarray(PARTITION_LEADER_EPOCH + 4))) {
        this.#fail(`${key}: ${b.id} at ${b.base} differs from the produced bytes`)
      }
      if (!sent.epochs.includes(b.epoch)) this.#fail(`${key}: ${b.id} carries leader epoch ${b.epoch}, appended under ${sent.epochs.join(',')}`)
      if ((lastN.get(sent.producer) ?? -1) >= sent.order) this.#fail(`${key}: ${b.id} is after a later batch of its producer`)
      lastN.set(sent.producer, sent.order)
    }

    // Every acknowledged batch is there, at its offset; below the log start only when asked so.
    // After a process crash, every answered batch (acks=1 too) of the life it ended.
    const mustBeThere = (sent: SentBatch, at: { baseOffset: number, lastOffset: number }, what: string): void => {
      if (at.lastOffset < logStart) {
        if (logStart > target.deletedBelow) {
          this.#summary.ackedLost++
          this.#fail(`${key}: ${what} ${sent.id} (${at.baseOffset}) is below the log start ${logStart}, never asked to be deleted (${target.deletedBelow})`)
        }
        return
      }
      const b = seen.get(sent.id)
      if (b === undefined || b.base !== at.baseOffset) {
        this.#summary.ackedLost++
        this.#fail(`${key}: ${what} ${sent.id} at ${at.baseOffset} is ${b === undefined ? 'missing' : `at ${b.base}`} (log ${logStart}..${leo})`)
      }
    }
    for (const producer of target.producers) {
      for (const sent of producer.batches) {
        if (sent.acked !== null) {
          mustBeThere(sent, sent.acked, 'acknowledged')
        } else if (afterCut && sent.answered !== null && sent.answeredInLife === this.#keepAnswered) {
          mustBeThere(sent, sent.answered, 'answered (acks=1, process crash)')
          this.#summary.answeredKeptAfterCrash++
        }
      }
    }
    if (afterCut) {
      for (const producer of target.producers) {
        for (const sent of producer.batches) {
          if (sent.acked !== null || !sent.settled || sent.judged) continue
          if (seen.has(sent.id)) this.#summary.unackedKept++
          else this.#summary.unackedDropped++
          sent.judged = true
        }
      }
    }

    // Lookups by offset and by timestamp agree with the scan.
    const visible = all.filter((b) => b.last >= logStart)
    for (let i = 0; i < Math.min(6, visible.length); i++) {
      const b = pick(this.#random, visible)
      const offset = Math.max(logStart, randInt(this.#random, b.base, b.last))
      const read = await log.read(offset, { maxBytes: 1, minOneBatch: true })
      const chunk = read.chunks[0]
      if (chunk === undefined || batchBaseOffset(chunk) !== b.base) this.#fail(`${key}: a read at ${offset} did not start with the batch at ${b.base}`)
      const records = visible.flatMap((v) => v.records).filter((r) => r.offset >= logStart)
      const target = pick(this.#random, records).timestamp + randInt(this.#random, -2, 2)
      const expected = records.filter((r) => r.timestamp >= target).reduce<number | null>((min, r) => min === null || r.offset < min ? r.offset : min, null)
      const found = await log.offsetForTimestamp(target)
      if ((found?.offset ?? null) !== expected) {
        console.error('target', target, 'logStart', logStart)
        for (const seg of log.segments) console.error('segment', seg.baseOffset, 'maxTs', seg.maxTimestamp, 'size', seg.size, 'ti', await seg.timeIndex().then((ti) => Array.from({ length: ti.entries }, (_v, i) => `${ti.timestampAt(i)}->${ti.offsetAt(i)}`).join(' ')))
        for (const v of visible) console.error(v.base, v.last, v.maxTimestamp, v.records.map((r) => r.timestamp - target).join(','))
      }
      if ((found?.offset ?? null) !== expected) this.#fail(`${key}: offsetForTimestamp(${target}) gave ${found?.offset ?? 'none'}, the scan says ${expected ?? 'none'}`)
    }

    // Leader epochs: the cache and its file hold each epoch's first offset in the log.
    const epochs: Array<{ epoch: number, startOffset: number }> = []
    for (const b of visible) {
      if (epochs.length === 0 || epochs[epochs.length - 1]!.epoch !== b.epoch) epochs.push({ epoch: b.epoch, startOffset: Math.max(b.base, logStart) })
    }
    const cached = log.leaderEpochEntries().filter((e) => e.startOffset < leo)
    if (JSON.stringify(cached) !== JSON.stringify(epochs)) this.#fail(`${key}: leader epochs ${JSON.stringify(log.leaderEpochEntries())}, the batches say ${JSON.stringify(epochs)}`)
    if (epochs.length > 0) {
      const text = (await this.#fs.readFile(`${log.dir}/leader-epoch-checkpoint`)).toString().trim().split('\n')
      const fileEntries = text.slice(2).map((line) => { const [e, s] = line.split(' '); return { epoch: Number(e), startOffset: Number(s) } })
      if (JSON.stringify(fileEntries.filter((e) => e.startOffset < leo)) !== JSON.stringify(cached)) this.#fail(`${key}: leader-epoch-checkpoint ${JSON.stringify(fileEntries)} differs from the cache`)
    }

    // read_committed: the last stable offset stops at the open transaction; the aborted ones are known.
    if (txnState !== null) {
      const expectedLso = Math.min(txnState.openFirst ?? log.highWatermark, log.highWatermark)
      if (log.lastStableOffset !== expectedLso) this.#fail(`${key}: last stable offset ${log.lastStableOffset}, expected ${expectedLso} (open transaction at ${txnState.openFirst ?? 'none'})`)
      const aborted = (await log.abortedTransactions(logStart, leo)).filter((a) => a.producerId === txnState.producerId).map((a) => a.firstOffset)
      if (JSON.stringify(aborted) !== JSON.stringify(txnState.aborted)) this.#fail(`${key}: the transaction index lists aborted transactions at ${aborted.join(',')}, the markers in the log say ${txnState.aborted.join(',')}`)
    }
  }

  /**
   * Walks the transactional producer's batches in log order: each transaction's data, then its
   * marker, never interleaved; names each marker batch. Returns the open transaction's first
   * offset and the first offsets of the aborted ones; null without a transactional producer.
   */
  async #checkTransactions (l: Live, all: ScannedBatch[]): Promise<{ producerId: bigint, openTxn: number | null, openFirst: number | null, aborted: number[] } | null> {
    const producer = l.target.producers.find((p) => p.transactional)
    if (producer === undefined) return null
    const key = `${l.target.topic}-${l.target.index}`
    let open: { txn: number, first: number } | null = null
    const aborted: number[] = []
    for (const b of all) {
      if (readBatchHeader(b.bytes).producerId !== producer.producerId) continue
      if (b.id === '') {
        if (open === null) this.#fail(`${key}: a transaction marker at ${b.base} closes no transaction`)
        b.id = `${producer.name}/marker#${open.txn}`
        const sent = l.target.byId.get(b.id)
        if (sent === undefined) this.#fail(`${key}: marker at ${b.base} for transaction ${open.txn} was never written`)
        // Its bytes are compared with the written marker's by the general check.
        if (isAbortMarker(b.bytes)) aborted.push(open.first)
        open = null
        continue
      }
      const sent = l.target.byId.get(b.id)
      if (sent === undefined || sent.txn === null) this.#fail(`${key}: ${b.id} at ${b.base} is not in a transaction`)
      if (open === null) open = { txn: sent.txn, first: b.base }
      else if (open.txn !== sent.txn) this.#fail(`${key}: ${b.id} of transaction ${sent.txn} at ${b.base} inside transaction ${open.txn}`)
    }
    return { producerId: producer.producerId, openTxn: open?.txn ?? null, openFirst: open?.first ?? null, aborted }
  }

  /**
   * What the transaction coordinator does after the restart: the open transaction is completed
   * with its outcome (aborted when none was decided) unless its marker survived, then the producer
   * gets a new epoch (InitProducerId) and starts its sequences again; its first batch must be accepted.
   */
  async #completeTransactions (live: Live[]): Promise<void> {
    for (const l of live) {
      const producer = l.target.producers.find((p) => p.transactional)
      if (producer === undefined) continue
      const state = await this.#checkTransactions(l, await this.#scan(l))
      if (state !== null && state.openTxn !== null) {
        const txn = state.openTxn
        const commit = producer.open?.txn === txn ? producer.open.commit ?? false : false
        try {
          await this.#writeMarker(l, producer, txn, commit)
        } catch (err) {
          this.#fail(`the coordinator could not complete transaction ${txn}: ${describe(err)}`)
        }
        this.#summary.transactionsCompletedAfterRestart++
      }
      producer.open = null
      producer.producerEpoch++
      producer.next = 0
    }
  }
}
