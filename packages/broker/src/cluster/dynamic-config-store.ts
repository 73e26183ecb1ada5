// Dynamic broker configs (AlterConfigs on a broker resource), persisted as one small JSON file
// `brook-broker-configs.json` in the first log dir, beside the topic table:
//   { "version": 1, "default": { "log.retention.ms": "60000" }, "broker": { "message.max.bytes": "2000000" } }
// `default` is the cluster-wide layer (resource name ""), `broker` this broker's own layer. Written
// atomically (writeFileAtomic from @brook/metadata). Recovery rule: a missing file is no dynamic configs; a file that
// does not parse stops the broker rather than silently serving other settings.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'

const DYNAMIC_CONFIGS_FILE = 'brook-broker-configs.json'
const FORMAT_VERSION = 1

export interface DynamicConfigLayers {
  readonly broker: Readonly<Record<string, string>>
  readonly default: Readonly<Record<string, string>>
}

function isStringRecord (value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}

export class DynamicConfigStore {
  readonly path: string
  private readonly writing = new SerialQueue()

  constructor (dir: string) {
    this.path = join(dir, DYNAMIC_CONFIGS_FILE)
  }

  async load (): Promise<DynamicConfigLayers> {
    const text = await readFileIfExists(this.path)
    if (text === null) return { broker: {}, default: {} }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new Error(`BROOK_BAD_DYNAMIC_CONFIGS_FILE: ${this.path} does not parse`, { cause: err })
    }
    const file = parsed as { version?: unknown, broker?: unknown, default?: unknown }
    if (file.version !== FORMAT_VERSION || !isStringRecord(file.broker) || !isStringRecord(file.default)) {
      throw new Error(`BROOK_BAD_DYNAMIC_CONFIGS_FILE: ${this.path} is not a version ${FORMAT_VERSION} dynamic config file`)
    }
    return { broker: file.broker, default: file.default }
  }

  /** Persists both layers; resolves once the file is durable. */
  async save (layers: DynamicConfigLayers): Promise<void> {
    const text = JSON.stringify({ version: FORMAT_VERSION, default: layers.default, broker: layers.broker }, null, 2) + '\n'
    await this.writing.run(async () => await writeFileAtomic(this.path, text))
  }
}
