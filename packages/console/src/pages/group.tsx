// One group: members and their assignments, committed offsets and lag per partition, the lag
// over time (sampled by this page while it is open, kept while the console stays loaded), and
// resetting offsets: a dry run shows the plan, and only that plan can then be applied.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { enc, get, post, type GroupDetail, type ResetPlan } from '../api.js'
import { count } from '../format.js'
import { usePoll } from '../hooks.js'
import { TimeChart } from '../chart.js'
import { Loading, Problem, Section, usePaged } from '../ui.js'

/** Lag samples per group, at most an hour of them (one per poll). */
const history = new Map<string, { times: number[], values: number[] }>()
const MAX_SAMPLES = 1800

function record (key: string, at: number, lag: number): { times: number[], values: number[] } {
  const h = history.get(key) ?? { times: [], values: [] }
  if (h.times[h.times.length - 1] !== at) {
    const times = [...h.times, at].slice(-MAX_SAMPLES)
    const values = [...h.values, lag].slice(-MAX_SAMPLES)
    history.set(key, { times, values })
    return { times, values }
  }
  return h
}

function Reset (props: { group: GroupDetail, onDone: () => void }): JSX.Element {
  const topics = [...new Set(props.group.partitions.map((p) => p.topic))]
  const [topic, setTopic] = useState(topics[0] ?? '')
  const [to, setTo] = useState('earliest')
  const [value, setValue] = useState('0')
  const [plan, setPlan] = useState<ResetPlan | null>(null)
  const [error, setError] = useState<string | null>(null)
  const body = (dryRun: boolean): Record<string, unknown> => ({
    type: props.group.type, topic, to, dryRun, ...(to === 'earliest' || to === 'latest' ? {} : { value: to === 'timestamp' ? new Date(value).getTime() : Number(value) })
  })
  const run = async (dryRun: boolean): Promise<void> => {
    setError(null)
    try {
      const r = await post<ResetPlan>(`/console/api/groups/${enc(props.group.groupId)}/reset`, body(dryRun))
      setPlan(r)
      if (r.applied) props.onDone()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const changed = (f: () => void): void => { f(); setPlan(null) }
  return (
    <form class="panel" id="reset" onSubmit={(e) => { e.preventDefault(); void run(true) }}>
      <h3>Reset offsets</h3>
      <p class="muted">Consumer groups must have no active members (stop the consumers first). The dry run shows what would change; apply commits exactly that.</p>
      <div class="row">
        <label>Topic <input name="topic" list="reset-topics" value={topic} onInput={(e) => { const v = e.currentTarget.value; changed(() => { setTopic(v) }) }} /></label>
        <datalist id="reset-topics">{topics.map((t) => <option key={t} value={t} />)}</datalist>
        <label>To <select name="to" value={to} onChange={(e) => { const v = e.currentTarget.value; changed(() => { setTo(v) }) }}>
          <option value="earliest">earliest</option><option value="latest">latest</option><option value="offset">an offset</option><option value="timestamp">a time</option><option value="shift">shift by</option>
        </select></label>
        {to === 'timestamp' && <label>Time <input name="value" type="datetime-local" step={1} onInput={(e) => { const v = e.currentTarget.value; changed(() => { setValue(v) }) }} /></label>}
        {(to === 'offset' || to === 'shift') && <label>{to === 'offset' ? 'Offset' : 'By'} <input name="value" type="number" value={value} onInput={(e) => { const v = e.currentTarget.value; changed(() => { setValue(v) }) }} /></label>}
      </div>
      <Problem error={error} />
      <div class="row">
        <button type="submit" name="dry-run">Dry run</button>
        <button type="button" name="apply" class="danger" disabled={plan === null || plan.applied} onClick={() => { void run(false) }}>Apply</button>
      </div>
      {plan !== null && (
        <>
          <p class={plan.applied ? 'ok-line' : 'muted'} id="reset-status">{plan.applied ? 'Applied: the group now starts from these offsets.' : 'Dry run: nothing changed yet.'}</p>
          <table id="reset-plan">
            <thead><tr><th>Topic</th><th class="num">Partition</th><th class="num">Current</th><th class="num">New</th><th class="num">Lag after</th></tr></thead>
            <tbody>{plan.plan.map((p) => <tr key={`${p.topic}-${p.partition}`}><td>{p.topic}</td><td class="num">{p.partition}</td><td class="num">{count(p.current)}</td><td class="num">{count(p.target)}</td><td class="num">{count(p.lagAfter)}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </form>
  )
}

export function GroupPage (props: { id: string, type: 'consumer' | 'share' }): JSX.Element {
  const group = usePoll(async () => await get<GroupDetail>(`/console/api/groups/${enc(props.id)}?type=${props.type}`), 2000, [props.id, props.type])
  const g = group.data
  const { shown, pager } = usePaged(g?.partitions ?? [], 200)
  const series = g === null ? { times: [], values: [] } : record(`${props.type}:${props.id}`, group.at, g.totalLag)
  return (
    <>
      <h1><a href="#/groups">Groups</a> / {props.id}</h1>
      <Problem error={group.error} />
      {g === null ? (group.error === null ? <Loading /> : null) : (
        <>
          <p class="muted" id="group-summary">{props.type === 'share' ? 'share group' : 'consumer group'} · state <b id="group-state">{g.state}</b> · {g.members.length} member(s) · total lag <b id="group-lag">{g.totalLag}</b></p>
          <Section title="Lag over time"><TimeChart label="total lag" times={series.times} values={series.values} /></Section>
          <Section title="Members">
            {g.members.length === 0 ? <p class="muted">No active members.</p> : (
              <table id="members">
                <thead><tr><th>Member</th><th>Client</th><th>Host</th><th>Assignment</th></tr></thead>
                <tbody>{g.members.map((m) => <tr key={m.memberId}><td class="mono">{m.memberId}</td><td>{m.clientId}</td><td>{m.clientHost}</td><td>{m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ')}</td></tr>)}</tbody>
              </table>
            )}
          </Section>
          <Section title="Offsets and lag">
            <table id="lags">
              <thead><tr><th>Topic</th><th class="num">Partition</th><th class="num">{props.type === 'share' ? 'Start offset' : 'Committed'}</th><th class="num">End</th><th class="num">Lag</th><th>Member</th></tr></thead>
              <tbody>{shown.map((p) => <tr key={`${p.topic}-${p.partition}`}><td>{p.topic}</td><td class="num">{p.partition}</td><td class="num">{count(p.committed)}</td><td class="num">{count(p.end)}</td><td class={`num ${(p.lag ?? 0) > 0 ? 'warn-text' : ''}`}>{count(p.lag)}</td><td class="mono">{p.member ?? '–'}</td></tr>)}</tbody>
            </table>
            {pager}
          </Section>
          <Section title="Reset offsets"><Reset group={g} onDone={group.reload} /></Section>
        </>
      )}
    </>
  )
}
