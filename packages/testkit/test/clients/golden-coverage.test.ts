// Which (api, version) pairs the broker advertises have golden bytes from a real client
// (packages/protocol/test/fixtures/golden, checked byte-for-byte by the protocol's golden test).
// Every advertised pair is either covered by a fixture or listed in NOT_SENT with the reason no
// client installed here sends it; the test fails both ways (an uncovered pair not listed, or a
// listed pair that is covered after all), so the table stays honest.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { advertisedRanges, goldenApiName, GOLDEN_DIR } from '@brook/testkit'

// Pairs no installable client sends: api name -> versions and why.
const NOT_SENT: Record<string, { versions: number[], why: string }> = {
  produce: { versions: [0, 1, 2, 12], why: 'v0-2 are advertised but refused (KAFKA-18659), no client here sends them; v12 is skipped by clients (only librdkafka 2.15 and Brook go past v11, to v13)' },
  'list-offsets': { versions: [10], why: 'no client here sends v10 (librdkafka 2.15 stops at v7, @platformatic/kafka at v9, Brook uses v11)' },
  metadata: { versions: [], why: '' }
}

const NAME = /^([a-z]+)-([a-z-]+)-v(\d+)\.hex$/

test('golden fixtures cover every advertised api version not listed as sent by no client', { timeout: 10_000 }, () => {
  const covered = new Map<string, Set<string>>()
  for (const file of readdirSync(GOLDEN_DIR)) {
    const match = NAME.exec(file)
    if (match === null) continue
    const pair = `${match[2]} v${match[3]}`
    covered.set(pair, (covered.get(pair) ?? new Set()).add(match[1] ?? ''))
  }
  const uncovered: string[] = []
  const listedButCovered: string[] = []
  for (const [key, range] of advertisedRanges()) {
    const name = goldenApiName(key)
    const listed = new Set(NOT_SENT[name]?.versions ?? [])
    for (let v = range.min; v <= range.max; v++) {
      const has = covered.has(`${name} v${v}`)
      if (!has && !listed.has(v)) uncovered.push(`${name} v${v}`)
      if (has && listed.has(v)) listedButCovered.push(`${name} v${v}`)
    }
  }
  assert.deepEqual(uncovered, [], 'advertised versions without golden bytes: capture them or list them in NOT_SENT with a reason')
  assert.deepEqual(listedButCovered, [], 'listed in NOT_SENT but covered: remove them from the table')
})
