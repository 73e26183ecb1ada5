// The group coordinator's runtime: the shared coordinator runtime (../coordinator/runtime.ts) over
// `__consumer_offsets`, one GroupShard per partition, a queue per group, plus the periodic
// offsets-retention pass (offsets.retention.check.interval.ms) once the partitions are loaded
// (cluster mode: once the first partition this broker leads is loaded).
import type { CoordinatorLog } from '../coordinator/log.js'
import { CoordinatorRuntime } from '../coordinator/runtime.js'
import { type Clock, type KeyedTimer, type Logger, silentLogger, systemClock } from '@brook/common'
import { type GroupCoordinatorConfig, groupConfigBounds, OFFSETS_TOPIC } from './config.js'
import { GroupConfigs } from './group-configs.js'
import { type RecordCodec, recordCodec } from './record-codec.js'
import type { GroupRecord } from './records.js'
import { GroupShard } from './shard.js'
import { NO_TOPICS, type TopicResolver } from './consumer/topics.js'

export interface RuntimeOptions {
  config: GroupCoordinatorConfig
  /** Opens (creating if needed) one partition of `__consumer_offsets`. */
  openLog: (partition: number) => Promise<CoordinatorLog>
  clock?: Clock
  timer?: KeyedTimer
  logger?: Logger
  codec?: RecordCodec
  /** The cluster's topics (consumer group subscriptions); none when omitted. */
  topics?: TopicResolver
  /** Per-group configs; the broker's settings only when omitted. */
  groupConfigs?: GroupConfigs
  /** Cluster mode: partitions are loaded as this broker becomes their leader (coordinator/runtime.ts). */
  ownership?: 'all' | 'elected'
  prepare?: () => Promise<void>
  /** Whether `__consumer_offsets` exists (after its deletion the next start() creates it again). */
  topicExists?: () => boolean
}

const CLEANUP_KEY = 'offsets-cleanup'

export class GroupCoordinatorRuntime extends CoordinatorRuntime<GroupShard, GroupRecord> {
  readonly config: GroupCoordinatorConfig
  readonly groupConfigs: GroupConfigs
  #closing = false

  constructor (options: RuntimeOptions) {
    const clock = options.clock ?? systemClock
    const logger = options.logger ?? silentLogger
    const groupConfigs = options.groupConfigs ?? new GroupConfigs(null, groupConfigBounds(options.config))
    super({
      topic: OFFSETS_TOPIC,
      numPartitions: options.config.offsetsTopicNumPartitions,
      openLog: options.openLog,
      codec: options.codec ?? recordCodec,
      clock,
      ...(options.timer === undefined ? {} : { timer: options.timer }),
      logger,
      newShard: (partition, scheduler) => new GroupShard({ partition, config: options.config, clock, scheduler, logger, topics: options.topics ?? NO_TOPICS, groupConfigs }),
      ...(options.ownership === undefined ? {} : { ownership: options.ownership }),
      ...(options.prepare === undefined ? {} : { prepare: options.prepare }),
      ...(options.topicExists === undefined ? {} : { topicExists: options.topicExists })
    })
    this.config = options.config
    this.groupConfigs = groupConfigs
    // Cluster mode: the retention pass starts with the first partition this broker leads.
    if (this.elected) {
      this.onPartitionLoaded(() => {
        if (!this.timer.isScheduled(CLEANUP_KEY)) this.#scheduleCleanup()
      })
    }
  }

  protected override onStarted (): void {
    this.#scheduleCleanup()
  }

  override close (): void {
    this.#closing = true
    super.close()
  }

  #scheduleCleanup (): void {
    if (this.#closing) return
    this.timer.schedule(CLEANUP_KEY, this.config.offsetsRetentionCheckIntervalMs, () => {
      void this.cleanupNow().finally(() => { this.#scheduleCleanup() })
    })
  }

  /** One offsets-retention pass over every group (also run by the periodic timer). */
  async cleanupNow (): Promise<number> {
    let expired = 0
    const runs: Array<Promise<void>> = []
    for (const shard of this.activeShards()) {
      for (const groupId of [...shard.groups.keys(), ...shard.consumerGroups.keys()]) {
        runs.push(this.run(groupId, (s) => s.offsetOps.cleanup(groupId)).then((n) => { expired += n }, (err: unknown) => {
          this.logger.warn(`group ${groupId}: offsets cleanup failed: ${err instanceof Error ? err.message : String(err)}`)
        }))
      }
    }
    await Promise.all(runs)
    return expired
  }
}
