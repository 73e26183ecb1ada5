// A private network for fault tests: one network namespace per node (etcd, each broker), each
// joined by a veth pair to one bridge in the calling (root) namespace, which also has an address
// on the bridge so that clients running here reach every node. A link between two nodes is cut by
// pinning, in each of the two namespaces, the other node's address to a MAC address nobody has (a
// permanent neighbour entry): packets leave and are silently lost, as on a dead link (a connect
// times out, an open connection stalls), while both nodes still reach everything else (clients,
// the other nodes), as in a partial network partition. A blackhole route would fail connects at
// once (EINVAL) instead, and tc's netem and prio qdiscs or iptables are not available everywhere.
// Needs root and iproute2.
//
// Names carry this process's id, so that two runs never share a namespace. What a network creates
// is removed by close(), on exit and on SIGINT/SIGTERM/SIGHUP, and by the next createNetwork()
// when the process that made it died without cleaning up (SIGKILL).
import { execFileSync } from 'node:child_process'

const PREFIX = 'bnf'
/** A locally administered unicast MAC address no interface here has. */
const NOWHERE_MAC = '02:00:5e:00:de:ad'

export interface NamespaceNetwork {
  /** This namespace's address on the bridge. */
  readonly hostIp: string
  /** The node's address. */
  ip: (node: string) => string
  /** The command prefix that runs a program in the node's namespace (it execs the program in place). */
  command: (node: string) => string[]
  /** Drops every packet between a and b, both ways, until healed. */
  cut: (a: string, b: string) => void
  heal: (a: string, b: string) => void
  healAll: () => void
  close: () => void
}

function run (cmd: string, args: readonly string[], quiet = false): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    if (quiet) return ''
    const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`, { cause: err })
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when this process may make network namespaces (root, with iproute2). */
export function canMakeNamespaces (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false // no iproute2
  }
}

/** Removes the namespaces and bridges of networks whose process is gone. */
function removeStale (): void {
  const stale = (name: string, suffix: string): string | null => {
    const m = new RegExp(`^(${PREFIX}(\\d+))${suffix}`).exec(name)
    return m !== null && m[1] !== undefined && !alive(Number(m[2])) ? m[1] : null
  }
  const namespaces = run('ip', ['netns', 'list'], true).split('\n').map((line) => line.split(' ')[0] ?? '')
  for (const ns of namespaces) {
    if (stale(ns, '-') !== null) run('ip', ['netns', 'del', ns], true)
  }
  for (const line of run('ip', ['-o', 'link', 'show', 'type', 'bridge'], true).split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1] ?? ''
    if (stale(name, 'br$') !== null) run('ip', ['link', 'del', name], true)
  }
}

interface Node { ns: string, ip: string, hostLink: string, nsLink: string }

/** Creates the network of `names` (e.g. ['etcd', 'b1', 'b2', 'b3']). */
export function createNamespaceNetwork (names: readonly string[]): NamespaceNetwork {
  removeStale()
  const tag = `${PREFIX}${process.pid}`
  // A /24 of 10.0.0.0/8 picked from the process id, unlikely to meet another run's.
  const subnet = `10.${150 + (process.pid % 50)}.${Math.floor(process.pid / 50) % 250}`
  const bridge = `${tag}br`
  const hostIp = `${subnet}.254`
  const nodes = new Map<string, Node>(names.map((name, i) => [name, {
    ns: `${tag}-${name}`,
    ip: `${subnet}.${i + 1}`,
    hostLink: `${tag}h${i}`,
    nsLink: `${tag}n${i}`
  }]))
  const cuts = new Set<string>()
  let closed = false

  const onSignal = (signal: NodeJS.Signals): void => {
    close()
    // This listener is gone now: raising the signal again ends the process as it would have.
    process.kill(process.pid, signal)
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
  const close = (): void => {
    if (closed) return
    closed = true
    process.removeListener('exit', close)
    for (const signal of signals) process.removeListener(signal, onSignal)
    for (const n of nodes.values()) run('ip', ['netns', 'del', n.ns], true)
    run('ip', ['link', 'del', bridge], true)
  }
  process.once('exit', close)
  for (const signal of signals) process.once(signal, onSignal)

  try {
    run('ip', ['link', 'add', bridge, 'type', 'bridge'])
    run('ip', ['addr', 'add', `${hostIp}/24`, 'dev', bridge])
    run('ip', ['link', 'set', bridge, 'up'])
    for (const n of nodes.values()) {
      run('ip', ['netns', 'add', n.ns])
      run('ip', ['link', 'add', n.hostLink, 'type', 'veth', 'peer', 'name', n.nsLink])
      run('ip', ['link', 'set', n.nsLink, 'netns', n.ns])
      run('ip', ['link', 'set', n.hostLink, 'master', bridge])
      run('ip', ['link', 'set', n.hostLink, 'up'])
      const inNs = (...args: string[]): string => run('ip', ['netns', 'exec', n.ns, ...args])
      inNs('ip', 'link', 'set', 'lo', 'up')
      inNs('ip', 'addr', 'add', `${n.ip}/24`, 'dev', n.nsLink)
      inNs('ip', 'link', 'set', n.nsLink, 'up')
    }
  } catch (err) {
    close()
    throw err
  }

  const node = (name: string): Node => {
    const n = nodes.get(name)
    if (n === undefined) throw new Error(`no node ${name}`)
    return n
  }
  const key = (a: string, b: string): string => [a, b].sort().join('|')
  /** In `from`'s namespace, sends what goes to `to` to a MAC address nobody has, or stops doing so. */
  const pin = (from: string, to: string, drop: boolean): void => {
    const f = node(from)
    const args = drop
      ? ['neigh', 'replace', node(to).ip, 'lladdr', NOWHERE_MAC, 'dev', f.nsLink, 'nud', 'permanent']
      : ['neigh', 'del', node(to).ip, 'dev', f.nsLink]
    // Deleting an entry that ARP has not learnt again is fine: the quiet run ignores it.
    run('ip', ['netns', 'exec', f.ns, 'ip', ...args], !drop)
  }
  const heal = (a: string, b: string): void => {
    cuts.delete(key(a, b))
    pin(a, b, false)
    pin(b, a, false)
  }

  return {
    hostIp,
    ip: (name) => node(name).ip,
    command: (name) => ['ip', 'netns', 'exec', node(name).ns],
    cut: (a, b) => {
      cuts.add(key(a, b))
      pin(a, b, true)
      pin(b, a, true)
    },
    heal,
    healAll: () => {
      for (const pair of [...cuts]) {
        const [a = '', b = ''] = pair.split('|')
        heal(a, b)
      }
    },
    close
  }
}
