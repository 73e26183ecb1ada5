// One topic: its partitions (paged: a topic may have 10,000), the message browser, the produce
// form, its configs (edit and reset), adding partitions and deleting it.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { type ConfigRow, del, enc, get, post, put, type TopicDetail, v3 } from '../api.js'
import { bytes, count } from '../format.js'
import { usePoll } from '../hooks.js'
import { Loading, Problem, Section, usePaged } from '../ui.js'
import { MessageBrowser } from './messages.js'
import { ProduceForm } from './produce.js'

const TABS = [['partitions', 'Partitions'], ['messages', 'Messages'], ['produce', 'Produce'], ['configs', 'Configs'], ['settings', 'Settings']] as const

function Partitions (props: { topic: TopicDetail }): JSX.Element {
  const { shown, pager } = usePaged(props.topic.partitions, 100)
  return (
    <>
      <table id="partitions">
        <thead><tr><th class="num">Partition</th><th class="num">Leader</th><th>Replicas</th><th>ISR</th><th class="num">Start</th><th class="num">End</th><th class="num">Messages</th><th class="num">Size</th></tr></thead>
        <tbody>
          {shown.map((p) => (
            <tr key={p.partition} class={p.leader < 0 ? 'bad' : p.isr.length < p.replicas.length ? 'warn' : ''}>
              <td class="num">{p.partition}</td><td class="num">{p.leader < 0 ? 'none' : p.leader}</td><td>{p.replicas.join(', ')}</td><td>{p.isr.join(', ')}</td>
              <td class="num">{count(p.startOffset)}</td><td class="num">{count(p.endOffset)}</td>
              <td class="num">{p.startOffset === null || p.endOffset === null ? '–' : count(p.endOffset - p.startOffset)}</td><td class="num">{bytes(p.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </>
  )
}

function Configs (props: { name: string }): JSX.Element {
  const configs = usePoll(async () => await get<{ data: ConfigRow[] }>(`${await v3()}/topics/${enc(props.name)}/configs`), 0, [props.name])
  const [editing, setEditing] = useState<{ name: string, value: string } | null>(null)
  const [onlySet, setOnlySet] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    setError(null)
    try {
      await f()
      setEditing(null)
      configs.reload()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const base = async (c: string): Promise<string> => `${await v3()}/topics/${enc(props.name)}/configs/${enc(c)}`
  const rows = (configs.data?.data ?? []).filter((c) => !onlySet || !c.is_default)
  return (
    <>
      <label class="inline"><input type="checkbox" checked={onlySet} onChange={(e) => { setOnlySet(e.currentTarget.checked) }} /> only values that are set</label>
      <Problem error={error ?? configs.error} />
      {configs.data === null ? <Loading /> : (
        <table id="configs">
          <thead><tr><th>Name</th><th>Value</th><th>Source</th><th /></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.name} data-config={c.name}>
                <td>{c.name}</td>
                <td>{editing?.name === c.name
                  ? <form class="row" onSubmit={(e) => { e.preventDefault(); void act(async () => await put(await base(c.name), { value: editing.value })) }}>
                      <input value={editing.value} onInput={(e) => { setEditing({ name: c.name, value: e.currentTarget.value }) }} />
                      <button type="submit">Save</button><button type="button" onClick={() => { setEditing(null) }}>Cancel</button>
                    </form>
                  : <code>{c.is_sensitive ? '(sensitive)' : c.value ?? 'null'}</code>}</td>
                <td class="muted">{c.source}</td>
                <td>{!c.is_read_only && editing?.name !== c.name && <>
                  <button type="button" class="small" onClick={() => { setEditing({ name: c.name, value: c.value ?? '' }) }}>Edit</button>
                  {!c.is_default && <button type="button" class="small" onClick={() => { void act(async () => await del(await base(c.name))) }}>Reset</button>}
                </>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

function Settings (props: { topic: TopicDetail, reload: () => void }): JSX.Element {
  const [total, setTotal] = useState(props.topic.partitions.length + 1)
  const [confirm, setConfirm] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const addPartitions = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(null)
    try {
      await post(`/console/api/topics/${enc(props.topic.name)}/partitions`, { count: total })
      setNote(`The topic has ${total} partitions now.`)
      props.reload()
    } catch (err) { setError((err as Error).message) }
  }
  const remove = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(null)
    try {
      await del(`${await v3()}/topics/${enc(props.topic.name)}`)
      location.hash = '#/topics'
    } catch (err) { setError((err as Error).message) }
  }
  return (
    <>
      <Problem error={error} />
      {note !== null && <p class="ok-line">{note}</p>}
      <form class="panel" onSubmit={(e) => { void addPartitions(e) }}>
        <h3>Add partitions</h3>
        <p class="muted">Partitions can only be added. Keyed records map to other partitions afterwards.</p>
        <label>New total <input type="number" min={props.topic.partitions.length + 1} value={total} onInput={(e) => { setTotal(Number(e.currentTarget.value)) }} /></label>
        <button type="submit" disabled={total <= props.topic.partitions.length}>Add partitions</button>
      </form>
      <form class="panel danger" onSubmit={(e) => { void remove(e) }}>
        <h3>Delete the topic</h3>
        <label>Type the topic's name to confirm <input value={confirm} onInput={(e) => { setConfirm(e.currentTarget.value) }} /></label>
        <button type="submit" class="danger" disabled={confirm !== props.topic.name}>Delete {props.topic.name}</button>
      </form>
    </>
  )
}

export function TopicPage (props: { name: string, tab: string }): JSX.Element {
  const topic = usePoll(async () => await get<TopicDetail>(`/console/api/topics/${enc(props.name)}`), props.tab === 'partitions' ? 5000 : 0, [props.name, props.tab])
  const t = topic.data
  return (
    <>
      <h1><a href="#/topics">Topics</a> / {props.name}</h1>
      <nav class="tabs">
        {TABS.map(([id, label]) => <a key={id} href={`#/topics/${enc(props.name)}?tab=${id}`} class={props.tab === id ? 'active' : ''}>{label}</a>)}
      </nav>
      <Problem error={topic.error} />
      {t === null ? (topic.error === null ? <Loading /> : null) : (
        <>
          <p class="muted" id="topic-summary">{count(t.partitions.length)} partitions · {count(t.partitions.reduce((n, p) => n + ((p.endOffset ?? 0) - (p.startOffset ?? 0)), 0))} messages · {bytes(t.partitions.some((p) => p.sizeBytes !== null) ? t.partitions.reduce((n, p) => n + (p.sizeBytes ?? 0), 0) : null)}{t.internal ? ' · internal' : ''}</p>
          {props.tab === 'partitions' && <Section title="Partitions"><Partitions topic={t} /></Section>}
          {props.tab === 'messages' && <MessageBrowser topic={props.name} partitions={t.partitions.length} />}
          {props.tab === 'produce' && <ProduceForm topic={props.name} partitions={t.partitions.length} />}
          {props.tab === 'configs' && <Configs name={props.name} />}
          {props.tab === 'settings' && <Settings topic={t} reload={topic.reload} />}
        </>
      )}
    </>
  )
}
