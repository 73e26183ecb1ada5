export * from './records/record-batch.js'
