// controller_mutation_rate (KIP-599) on real admin clients. A rate of 2 partitions/s holds a burst
// of 22 (controller.quota.window.num 11 × 1 s). @platformatic/kafka speaks CreateTopics v7 and
// DeleteTopics v6 (strict): of two 30-partition topics in one request the first is created and
// takes the client into debt, the second is refused with THROTTLING_QUOTA_EXCEEDED (89) and the
// response carries throttle_time_ms; another client id on the same broker is not limited; once the
// debt is paid the client creates again. kafka-python speaks CreateTopics v3 (permissive): the
// same two topics in one request are both created and the response carries the throttle time.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, fixturePath, runPython, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

ensurePromiseWithResolvers()

const THROTTLING_QUOTA_EXCEEDED = 89

function adminFor (broker: TestBroker, clientId: string): Admin {
  return new Admin({ clientId, bootstrapBrokers: [broker.bootstrap], retries: 0 })
}

async function setQuota (broker: TestBroker, clientId: string, rate: number): Promise<void> {
  const admin = adminFor(broker, 'brook-quota-setup')
  try {
    const altered = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key: 'controller_mutation_rate', value: rate, remove: false }] }] })
    assert.deepEqual(altered.map((e) => e.errorCode), [0])
  } finally {
    await admin.close()
  }
}

interface Refusal { errors?: Array<{ apiCode?: number, path?: string }>, response?: { throttleTimeMs?: number, topics?: Array<{ name: string, errorCode: number }>, responses?: Array<{ name: string, errorCode: number }> } }

/** @platformatic/kafka wraps the response error (with the response and its per-topic errors) in its own. */
function refusalOf (err: unknown): Refusal {
  const outer = err as Refusal & { errors?: unknown[] }
  return outer.response !== undefined ? outer : (outer.errors?.[0] ?? {}) as Refusal
}

test('controller_mutation_rate, strict versions: the topic over the quota gets THROTTLING_QUOTA_EXCEEDED with throttle_time_ms', { timeout: 90_000 }, async (t) => {
  const broker = await startTestBroker()
  const limited = adminFor(broker, 'mutator')
  const free = adminFor(broker, 'free-admin')
  try {
    await setQuota(broker, 'mutator', 2)
    let refusal: Refusal | null = null
    try {
      await limited.createTopics({ topics: ['mut-a', 'mut-b'], partitions: 30, replicas: 1 })
    } catch (err) {
      refusal = refusalOf(err)
    }
    assert.ok(refusal !== null, 'the request over the quota is refused in part')
    const topics = refusal.response?.topics ?? []
    assert.deepEqual(topics.map((x) => [x.name, x.errorCode]).sort(), [['mut-a', 0], ['mut-b', THROTTLING_QUOTA_EXCEEDED]])
    assert.ok((refusal.errors ?? []).every((e) => e.apiCode === THROTTLING_QUOTA_EXCEEDED), JSON.stringify(refusal.errors))
    const throttle = refusal.response?.throttleTimeMs ?? 0
    t.diagnostic(`throttle_time_ms ${throttle}`)
    // 30 partitions from a burst of 22 at 2/s: 4 s of debt, less what refilled while the topic
    // was created (seconds, on a loaded machine).
    assert.ok(throttle > 0 && throttle <= 4100, `throttle_time_ms ${throttle}, want up to 4000`)
    const created = await limited.metadata({ topics: ['mut-a'] })
    assert.equal(created.topics.get('mut-a')?.partitionsCount, 30)

    // Another client id is not limited, at the same time.
    await free.createTopics({ topics: ['free-a', 'free-b'], partitions: 30, replicas: 1 })

    // Once the debt is paid the limited client creates again; deleting counts too (DeleteTopics v6).
    await waitFor(async () => {
      try {
        await limited.createTopics({ topics: ['mut-b'], partitions: 30, replicas: 1 })
        return true
      } catch (err) {
        assert.ok((refusalOf(err).errors ?? []).every((e) => e.apiCode === THROTTLING_QUOTA_EXCEEDED), `only throttling refusals: ${String(err)}`)
        return false
      }
    }, 30_000, { message: 'the limited client creating again after its throttle time' })
    let deleteRefusal: Refusal | null = null
    try {
      await limited.deleteTopics({ topics: ['mut-a', 'mut-b'] })
    } catch (err) {
      deleteRefusal = refusalOf(err)
    }
    assert.ok(deleteRefusal !== null, 'deleting 60 partitions in debt is refused in part')
    const deleted = (deleteRefusal.response?.responses ?? []).map((x) => x.errorCode).sort((a, b) => a - b)
    assert.deepEqual(deleted, [0, THROTTLING_QUOTA_EXCEEDED], 'one topic deleted, the other refused')
  } finally {
    await limited.close()
    await free.close()
    await broker.close()
  }
})

interface Created { topic: string, version: number, throttle_time_ms: number | null, error_code: number }

test('controller_mutation_rate, older versions (kafka-python, CreateTopics v3): the same request is not refused, the client is throttled', { timeout: 90_000 }, async () => {
  const broker = await startTestBroker()
  try {
    await setQuota(broker, 'legacy-admin', 2)
    const run = await runPython(fixturePath('../quotas/mutation_client.py'), [broker.bootstrap, 'legacy-admin', '30', 'old-a', 'old-b'], { timeoutMs: 75_000 })
    assert.ok(!run.timedOut, 'kafka-python timed out')
    const out = run.stdout.toString('utf8').trim()
    assert.ok(out !== '', `no output; stderr: ${run.stderr.slice(-2000)}`)
    const results = JSON.parse(out.split('\n').pop() as string) as Created[]
    // What the strict test refuses (two 30-partition topics from a burst of 22) both go through.
    assert.deepEqual(results.map((r) => [r.topic, r.error_code]).sort(), [['old-a', 0], ['old-b', 0]])
    assert.ok(results.every((r) => r.version < 6), `a permissive version: ${JSON.stringify(results)}`)
    // 60 partitions from 22: 19 s of debt at 2/s (less what refilled while the topics were made).
    const throttle = results[0]?.throttle_time_ms ?? 0
    assert.ok(throttle > 10_000 && throttle <= 19_100, `throttle_time_ms ${throttle}, want about 19000`)
  } finally {
    await broker.close()
  }
})
