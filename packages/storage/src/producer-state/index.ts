// Idempotent producers and transactions on a partition: producer state, its snapshots, and the
// aborted-transaction index. See producer-state-manager.ts for how the partition log calls in.
export * from './sequence.js'
export * from './producer-batch.js'
export * from './producer-entry.js'
export * from './append-info.js'
export * from './producer-state-manager.js'
export * from './snapshot.js'
export * from './snapshot-file.js'
export * from './txn-index.js'
export * from './rebuild.js'
