// Topics: the list with partitions, messages, size and rate (from successive end-offset sums),
// a filter, and the create form (partitions, replication factor, configs as name=value lines).
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { enc, get, post, type TopicRow, v3 } from '../api.js'
import { bytes, count, rate } from '../format.js'
import { rateOf, usePoll } from '../hooks.js'
import { Loading, Problem, Section, usePaged } from '../ui.js'

/** `name=value` lines (blank lines and # comments skipped) as v3 config entries. */
export function parseConfigs (text: string): Array<{ name: string, value: string }> {
  const out: Array<{ name: string, value: string }> = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) throw new Error(`not name=value: ${line}`)
    out.push({ name: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() })
  }
  return out
}

function CreateTopic (props: { onDone: () => void }): JSX.Element {
  const [name, setName] = useState('')
  const [partitions, setPartitions] = useState(3)
  const [rf, setRf] = useState('')
  const [configs, setConfigs] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(null)
    setBusy(true)
    try {
      const body: Record<string, unknown> = { topic_name: name.trim(), partitions_count: partitions, configs: parseConfigs(configs) }
      if (rf !== '') body.replication_factor = Number(rf)
      await post(`${await v3()}/topics`, body)
      setName('')
      setConfigs('')
      props.onDone()
      location.hash = `#/topics/${enc(name.trim())}`
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="panel" id="create-topic" onSubmit={(e) => { void submit(e) }}>
      <h3>Create a topic</h3>
      <div class="row">
        <label>Name <input name="topic_name" required value={name} onInput={(e) => { setName(e.currentTarget.value) }} /></label>
        <label>Partitions <input name="partitions" type="number" min={1} value={partitions} onInput={(e) => { setPartitions(Number(e.currentTarget.value)) }} /></label>
        <label>Replication factor <input name="replication_factor" type="number" min={1} placeholder="default" value={rf} onInput={(e) => { setRf(e.currentTarget.value) }} /></label>
      </div>
      <label>Configs (name=value per line)<textarea name="configs" rows={3} placeholder={'retention.ms=86400000\ncleanup.policy=compact'} value={configs} onInput={(e) => { setConfigs(e.currentTarget.value) }} /></label>
      <Problem error={error} />
      <button type="submit" disabled={busy || name.trim() === ''}>Create</button>
    </form>
  )
}

export function TopicsPage (): JSX.Element {
  const topics = usePoll(async () => await get<{ topics: TopicRow[] }>('/console/api/topics'), 3000, [])
  const [filter, setFilter] = useState('')
  const [internal, setInternal] = useState(false)
  const [creating, setCreating] = useState(false)
  const rows = (topics.data?.topics ?? []).filter((t) => (internal || !t.internal) && t.name.toLowerCase().includes(filter.toLowerCase()))
  const { shown, pager } = usePaged(rows, 100)
  return (
    <>
      <h1>Topics</h1>
      <Problem error={topics.error} />
      <Section title={`${rows.length} topic(s)`} actions={
        <div class="row">
          <input type="search" placeholder="Filter" value={filter} onInput={(e) => { setFilter(e.currentTarget.value) }} />
          <label class="inline"><input type="checkbox" checked={internal} onChange={(e) => { setInternal(e.currentTarget.checked) }} /> internal</label>
          <button type="button" onClick={() => { setCreating(!creating) }}>{creating ? 'Close' : 'Create topic'}</button>
        </div>
      }>
        {creating && <CreateTopic onDone={() => { setCreating(false); topics.reload() }} />}
        {topics.data === null ? <Loading /> : (
          <table id="topics">
            <thead><tr><th>Name</th><th class="num">Partitions</th><th class="num">RF</th><th class="num">Messages</th><th class="num">Size</th><th class="num">In /s</th><th>Health</th></tr></thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.name} data-topic={t.name}>
                  <td><a href={`#/topics/${enc(t.name)}`}>{t.name}</a>{t.internal && <span class="tag">internal</span>}</td>
                  <td class="num">{count(t.partitions)}</td>
                  <td class="num">{t.replicationFactor}</td>
                  <td class="num">{count(t.messages)}</td>
                  <td class="num">{bytes(t.sizeBytes)}</td>
                  <td class="num">{rate(rateOf(`topic:${t.name}`, t.endOffsetSum, topics.at))}</td>
                  <td>{t.offline > 0 ? <span class="tag bad">{t.offline} offline</span> : t.underReplicated > 0 ? <span class="tag warn">{t.underReplicated} under-replicated</span> : <span class="tag ok">ok</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {pager}
      </Section>
    </>
  )
}
