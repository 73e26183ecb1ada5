// Overview: brokers, topics, partitions, messages in per second, disk, and what needs a look:
// offline and under-replicated partitions, groups whose lag is high.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, type GroupRow, type Overview } from '../api.js'
import { bytes, count, rate } from '../format.js'
import { rateOf, usePoll } from '../hooks.js'
import { Card, Loading, Problem, Section } from '../ui.js'

export function OverviewPage (): JSX.Element {
  const overview = usePoll(async () => await get<Overview>('/console/api/overview'), 3000, [])
  const groups = usePoll(async () => await get<{ groups: GroupRow[] }>('/console/api/groups'), 5000, [])
  const [threshold, setThreshold] = useState(1000)
  const o = overview.data
  if (o === null) return <><h1>Overview</h1><Problem error={overview.error} />{overview.error === null && <Loading />}</>
  const inRate = rateOf('overview', o.endOffsetSum, overview.at)
  const lagging = (groups.data?.groups ?? []).filter((g) => (g.totalLag ?? 0) >= threshold)
  const alerts = o.offlineCount + o.underReplicatedCount + lagging.length
  return (
    <>
      <h1>Overview <span class="muted small">cluster {o.clusterId ?? '?'}</span></h1>
      <Problem error={overview.error} />
      <div class="cards">
        <Card label="Brokers" value={count(o.brokers.length)} hint={`controller ${o.controllerId}`} />
        <Card label="Topics" value={count(o.topics)} hint={`${o.internalTopics} internal`} />
        <Card label="Partitions" value={count(o.partitions)} />
        <Card label="Messages" value={count(o.messages)} />
        <Card label="Messages in /s" value={rate(inRate)} />
        <Card label="Disk" value={bytes(o.diskBytes)} hint="all replicas" />
        <Card label="Alerts" value={count(alerts)} tone={alerts === 0 ? 'ok' : o.offlineCount > 0 ? 'bad' : 'warn'} />
      </div>
      <Section title="Alerts" actions={<label class="inline">lag alert at <input type="number" min={1} value={threshold} onInput={(e) => { setThreshold(Number(e.currentTarget.value) || 1) }} /> records</label>}>
        {alerts === 0 ? <p class="ok-line">No offline or under-replicated partitions, no group lagging by {count(threshold)} records or more.</p> : (
          <ul class="alerts">
            {o.offlineCount > 0 && <li class="bad">{count(o.offlineCount)} offline partition(s): {o.offline.slice(0, 10).map((p) => `${p.topic}-${p.partition}`).join(', ')}</li>}
            {o.underReplicatedCount > 0 && <li class="warn">{count(o.underReplicatedCount)} under-replicated partition(s): {o.underReplicated.slice(0, 10).map((p) => `${p.topic}-${p.partition} (isr ${p.isr.join(',')} of ${p.replicas.join(',')})`).join(', ')}</li>}
            {lagging.map((g) => <li key={g.groupId} class="warn">Group <a href={`#/groups/${encodeURIComponent(g.groupId)}?type=${g.type}`}>{g.groupId}</a> lags by {count(g.totalLag)} records</li>)}
          </ul>
        )}
      </Section>
      <Section title="Brokers">
        <table>
          <thead><tr><th>Id</th><th>Host</th><th>Port</th><th>Rack</th><th class="num">Disk</th><th>Role</th></tr></thead>
          <tbody>
            {o.brokers.map((b) => <tr key={b.nodeId}><td>{b.nodeId}</td><td>{b.host}</td><td>{b.port}</td><td>{b.rack ?? '–'}</td><td class="num">{bytes(b.diskBytes)}</td><td>{b.nodeId === o.controllerId ? 'controller' : ''}</td></tr>)}
          </tbody>
        </table>
      </Section>
    </>
  )
}
