import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, runCommand, runKcat, runPython } from '@brook/testkit'

test('runCommand passes stdin and captures stdout, stderr and the exit code', async () => {
  const result = await runCommand(process.execPath, ['-e', 'process.stdin.pipe(process.stdout); console.error("err"); process.exitCode = 3'], {
    input: 'hello', timeoutMs: 10_000
  })
  assert.equal(result.stdout.toString(), 'hello')
  assert.equal(result.stderr.trim(), 'err')
  assert.equal(result.code, 3)
  assert.throws(() => assertSucceeded('echo', result), /echo exited with 3/)
})

test('runCommand kills a program that overruns its time limit', async () => {
  const result = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 200 })
  assert.equal(result.timedOut, true)
  assert.equal(result.signal, 'SIGKILL')
})

test('the real clients are installed: kcat and confluent-kafka for /usr/bin/python3', async () => {
  const kcat = assertSucceeded('kcat -V', await runKcat(['-V'], { timeoutMs: 10_000 }))
  assert.match(kcat.stdout.toString() + kcat.stderr, /librdkafka/)
  const py = assertSucceeded('python', await runPython('-c', ['import confluent_kafka; print(confluent_kafka.libversion()[0])'], { timeoutMs: 10_000 }))
  assert.match(py.stdout.toString(), /^\d+\.\d+/)
})
