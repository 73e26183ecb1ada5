// A private network for fault campaigns: one network namespace per node (etcd, each broker), each
// joined by a veth pair to one bridge in this (the root) namespace, which also has an address on
// the bridge so that clients running here reach every node. A link between two nodes is cut by
// pinning, in each of the two namespaces, the other node's address to a MAC address nobody has
// (a permanent neighbour entry): packets leave and are silently lost, as on a dead link (a
// connect times out, an open connection stalls), while both nodes still reach everything else
// (clients, the other nodes), as in a partial network partition. A blackhole route would fail
// connects at once (EINVAL) instead; tc's prio and netem qdiscs are not in this kernel and there is
// no iptables. Needs root and iproute2.
//
// Every name carries this process's id, so that two campaigns never share a namespace; what a run
// creates is removed by close(), on exit and on SIGINT/SIGTERM/SIGHUP, and at the next start when a
// run died without cleaning up (SIGKILL).
import { execFileSync } from 'node:child_process'

const PREFIX = 'bcf'
/** A locally administered unicast MAC address no interface here has. */
const NOWHERE_MAC = '02:00:5e:00:de:ad'

function run (cmd, args, { quiet = false } = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    if (quiet) return ''
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`, { cause: err })
  }
}

function alive (pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

/** Removes namespaces and bridges left by campaigns whose process is gone (killed with SIGKILL). */
export function removeStale () {
  const tags = new Set()
  for (const line of run('ip', ['netns', 'list'], { quiet: true }).split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+))-`).exec(line)
    if (m !== null && !alive(Number(m[2]))) tags.add(m[1])
  }
  for (const line of run('ip', ['-o', 'link', 'show', 'type', 'bridge'], { quiet: true }).split('\n')) {
    const m = new RegExp(`^\\d+: (${PREFIX}(\\d+))br`).exec(line)
    if (m !== null && !alive(Number(m[2]))) tags.add(m[1])
  }
  for (const tag of tags) {
    for (const line of run('ip', ['netns', 'list'], { quiet: true }).split('\n')) {
      const name = line.split(' ')[0]
      if (name.startsWith(`${tag}-`)) run('ip', ['netns', 'del', name], { quiet: true })
    }
    run('ip', ['link', 'del', `${tag}br`], { quiet: true })
  }
  return [...tags]
}

/**
 * Creates the network for `names` (e.g. ['etcd', 'b1', 'b2', 'b3']). Returns the address of each
 * node, the command prefix that runs a program in a node's namespace, and cut / heal.
 */
export function createNetwork (names) {
  removeStale()
  const tag = `${PREFIX}${process.pid}`
  // A /24 of 10.0.0.0/8 picked from the process id, unlikely to meet another campaign's.
  const subnet = `10.${200 + (process.pid % 50)}.${Math.floor(process.pid / 50) % 250}`
  const bridge = `${tag}br`
  const hostIp = `${subnet}.254`
  const nodes = new Map(names.map((name, i) => [name, {
    ns: `${tag}-${name}`,
    ip: `${subnet}.${i + 1}`,
    hostLink: `${tag}h${i}`,
    nsLink: `${tag}n${i}`
  }]))
  const cuts = new Set()
  let closed = false

  const close = () => {
    if (closed) return
    closed = true
    for (const n of nodes.values()) run('ip', ['netns', 'del', n.ns], { quiet: true })
    run('ip', ['link', 'del', bridge], { quiet: true })
  }
  process.once('exit', close)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Registered before anything spawns children, so it runs before the child reaper re-raises the signal.
    process.once(signal, () => { close(); process.kill(process.pid, signal) })
  }

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
      const inNs = (...args) => run('ip', ['netns', 'exec', n.ns, ...args])
      inNs('ip', 'link', 'set', 'lo', 'up')
      inNs('ip', 'addr', 'add', `${n.ip}/24`, 'dev', n.nsLink)
      inNs('ip', 'link', 'set', n.nsLink, 'up')
    }
  } catch (err) {
    close()
    throw err
  }

  const node = (name) => {
    const n = nodes.get(name)
    if (n === undefined) throw new Error(`no node ${name}`)
    return n
  }
  const key = (a, b) => [a, b].sort().join('|')
  /** In `from`'s namespace, sends what goes to `to` to a MAC address nobody has, or stops doing so. */
  const route = (from, to, drop) => {
    const f = node(from)
    const args = drop
      ? ['neigh', 'replace', node(to).ip, 'lladdr', NOWHERE_MAC, 'dev', f.nsLink, 'nud', 'permanent']
      : ['neigh', 'del', node(to).ip, 'dev', f.nsLink]
    run('ip', ['netns', 'exec', f.ns, 'ip', ...args], { quiet: !drop })
  }

  return {
    hostIp,
    ip: (name) => node(name).ip,
    /** The command prefix that runs a program inside the node's namespace (it execs in place). */
    command: (name) => ['ip', 'netns', 'exec', node(name).ns],
    /** Drops every packet between a and b, both ways. */
    cut: (a, b) => { cuts.add(key(a, b)); route(a, b, true); route(b, a, true) },
    heal: (a, b) => { cuts.delete(key(a, b)); route(a, b, false); route(b, a, false) },
    healAll: () => {
      for (const pair of cuts) {
        const [a, b] = pair.split('|')
        route(a, b, false)
        route(b, a, false)
      }
      cuts.clear()
    },
    cuts: () => [...cuts],
    close
  }
}
