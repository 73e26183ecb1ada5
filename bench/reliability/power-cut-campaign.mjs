#!/usr/bin/env node
// Power-cut campaign (not a test; docs/reliability.md, "Power cuts"):
//   npx tsc -b && node bench/reliability/power-cut-campaign.mjs --rounds 1000 --seed 1
// Runs the broker's partitions on the storage engine over the fault-injecting in-memory file
// system, cuts the power at random moments with random models of what the disk kept, recovers,
// and checks the acknowledged data, the segments, the indexes, the leader epochs and the
// idempotent producers' state (packages/broker/test/power-cut/campaign.ts says exactly what).
// Prints a summary; exits 1 when any round failed. A failed round prints the arguments that rerun it alone.
import { parseArgs } from 'node:util'
import { loadavg } from 'node:os'
import { runPowerCutCampaign } from '../../packages/broker/dist/test/power-cut/campaign.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'first-round': { type: 'string', default: '0' },
    progress: { type: 'string', default: '100' }
  }
})
const rounds = Number(values.rounds)
const seed = Number(values.seed)
if (!Number.isSafeInteger(rounds) || rounds < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: power-cut-campaign.mjs --rounds N --seed X [--first-round R] [--progress N]')
  process.exit(2)
}

console.log(`power-cut campaign: ${rounds} rounds, seed ${seed}, load average ${loadavg()[0].toFixed(1)}`)
const s = await runPowerCutCampaign({ rounds, seed, firstRound: Number(values['first-round']), log: (line) => { console.log(line) }, progressEvery: Number(values.progress) })
console.log([
  `rounds                 ${s.rounds} (${s.failures.length} failed)`,
  `power cuts             ${s.powerCuts}, process crashes ${s.processCrashes} (${Object.entries(s.modes).sort().map(([k, v]) => `${k} ${v}`).join(', ')})`,
  `recoveries interrupted ${s.recoveriesInterrupted} (by another cut or crash, then recovered again)`,
  `batches produced       ${s.batchesProduced}`,
  `acks=all acknowledged  ${s.batchesAcked} (lost: ${s.ackedLost})`,
  `never acknowledged     kept ${s.unackedKept}, cut by recovery ${s.unackedDropped}`,
  `acks=1 before a crash  ${s.answeredKeptAfterCrash} answered, checked present after the restart`,
  `transactions           ${s.transactions} ended by their marker, ${s.transactionsCompletedAfterRestart} completed by the coordinator after a restart`,
  `idempotent retries     ${s.idempotentRetries} (${s.retriesDeduplicated} deduplicated)`,
  `full scans             ${s.segmentsScanned} segments, ${s.batchesScanned} batches CRC-checked`,
  `time                   ${(s.elapsedMs / 1000).toFixed(1)} s, load average ${loadavg()[0].toFixed(1)}`
].join('\n'))
process.exit(s.failures.length === 0 ? 0 : 1)
