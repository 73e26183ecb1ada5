#!/usr/bin/env node
// Installs the Debian packages the tests drive when one is missing (`npm test` runs this first),
// then the librdkafka 2.15 client the KIP-848 tests use.
// Silent when everything is there: it only looks at PATH and Python's module path. Installing
// needs root and apt-get (CI and the project's machines run as root); anywhere else it names what
// is missing and how to install it, and fails. BROOK_SKIP_TEST_DEPS=1 skips this step.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// The Python clients are Debian's packages, so they are importable by /usr/bin/python3 only.
const PYTHON = '/usr/bin/python3'

/** Debian package -> how to tell it is installed. */
const PACKAGES = [
  { name: 'kcat', command: 'kcat' },
  { name: 'python3-confluent-kafka', pythonModule: 'confluent_kafka' },
  { name: 'python3-kafka', pythonModule: 'kafka' },
  // The official Prometheus text-format parser, to check /metrics.
  { name: 'python3-prometheus-client', pythonModule: 'prometheus_client' },
  { name: 'etcd-server', command: 'etcd' },
  { name: 'chromium', command: 'chromium' }
]

function onPath (command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      // not in this directory; try the next one
    }
  }
  return false
}

function missingPythonModules (modules) {
  if (modules.length === 0) return []
  // find_spec looks the module up without importing it, so this stays fast.
  const probe = 'import importlib.util, sys\n' +
    'print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))'
  const result = spawnSync(PYTHON, ['-c', probe, ...modules], { encoding: 'utf8' })
  if (result.error !== undefined || result.status !== 0) return modules // no usable /usr/bin/python3
  return result.stdout.trim().split(/\s+/).filter((m) => m !== '')
}

function findMissing () {
  const absentModules = new Set(missingPythonModules(PACKAGES.flatMap((p) => p.pythonModule ?? [])))
  return PACKAGES
    .filter((p) => p.command !== undefined ? !onPath(p.command) : absentModules.has(p.pythonModule))
    .map((p) => p.name)
}

function run (command, args) {
  const result = spawnSync(command, args, {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  })
  if (result.error !== undefined) throw result.error
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`)
    process.exit(1)
  }
}

function printClientVersions () {
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout?.match(/^Version (\S+)/m)?.[1] ?? '?'
  const py = spawnSync(PYTHON, ['-c',
    'import confluent_kafka as c, kafka; print("confluent-kafka", c.version()[0], "(librdkafka", c.libversion()[0] + "), kafka-python", kafka.__version__)'
  ], { encoding: 'utf8' }).stdout?.trim() ?? '?'
  console.log(`test clients: kcat ${kcat}, ${py}`)
}

if (process.env.BROOK_SKIP_TEST_DEPS === '1') process.exit(0)

const missing = findMissing()
if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`
  if (process.platform !== 'linux' || !onPath('apt-get')) {
    console.error(`The tests need these Debian packages, and apt-get is not available here: ${missing.join(', ')}.\n` +
      'Install their equivalents, or set BROOK_SKIP_TEST_DEPS=1 to run the tests without them (the tests that drive them fail).')
    process.exit(1)
  }
  if (process.getuid?.() !== 0) {
    console.error(`The tests need these Debian packages: ${missing.join(', ')}. Installing them needs root:\n` +
      `  sudo sh -c '${command}'\n` +
      'or set BROOK_SKIP_TEST_DEPS=1 to run the tests without them (the tests that drive them fail).')
    process.exit(1)
  }
  console.log(`installing the test dependencies: ${missing.join(' ')}`)
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing])
  const still = findMissing()
  if (still.length > 0) {
    console.error(`still missing after apt-get install: ${still.join(', ')}`)
    process.exit(1)
  }
}

// librdkafka 2.15 (KIP-848 and the newest request versions) is not a Debian package: its script
// builds it once per machine (minutes) and links it into .deps/; afterwards it returns at once.
run('bash', [fileURLToPath(new URL('install-librdkafka-client.sh', import.meta.url))])

// CI logs say which client versions the run was tested with.
if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') printClientVersions()
