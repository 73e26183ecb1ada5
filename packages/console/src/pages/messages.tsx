// The message browser: newest first, from an offset of one partition, or from a time; a search
// by key, text or a JSON field over a bounded window of the newest records; each record's key,
// value and headers as JSON, text or hex. Live: the newest view refreshes itself.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { enc, get, type MessagePage, type MessageRow } from '../api.js'
import { bytes, count, preview, render, time, type View } from '../format.js'
import { usePoll } from '../hooks.js'
import { Loading, Problem } from '../ui.js'

interface Query { partition: string, mode: 'newest' | 'offset' | 'timestamp', offset: string, timestamp: string, limit: string, key: string, text: string, json: string, scan: string }

const INITIAL: Query = { partition: 'all', mode: 'newest', offset: '0', timestamp: '', limit: '50', key: '', text: '', json: '', scan: '10000' }

function toParams (q: Query): string {
  const p = new URLSearchParams({ partition: q.partition, mode: q.mode, limit: q.limit })
  if (q.mode === 'offset') p.set('offset', q.offset)
  if (q.mode === 'timestamp') p.set('timestamp', String(new Date(q.timestamp).getTime()))
  for (const k of ['key', 'text', 'json'] as const) if (q[k] !== '') p.set(k, q[k])
  if (q.key !== '' || q.text !== '' || q.json !== '') p.set('scan', q.scan)
  return p.toString()
}

function Record (props: { r: MessageRow, view: View }): JSX.Element {
  const [open, setOpen] = useState(false)
  const { r } = props
  return (
    <>
      <tr class="record" data-offset={r.offset} data-partition={r.partition} onClick={() => { setOpen(!open) }}>
        <td class="num">{r.partition}</td><td class="num">{r.offset}</td><td class="nowrap">{time(r.timestamp)}</td>
        <td class="key"><code>{preview(r.key.data, 40)}</code></td>
        <td class="value"><code>{preview(r.value.data)}</code></td>
        <td class="num">{bytes(r.value.size)}</td><td class="num">{r.headers.length}</td>
      </tr>
      {open && (
        <tr class="detail"><td colSpan={7}>
          <div class="grid2">
            <div><h4>Key</h4><pre>{render(r.key.data, props.view).text}</pre></div>
            <div><h4>Value{r.value.truncated ? ` (first 64 KiB of ${bytes(r.value.size)})` : ''}</h4><pre>{render(r.value.data, props.view).text}</pre></div>
          </div>
          {r.headers.length > 0 && <><h4>Headers</h4><table><tbody>{r.headers.map((h, i) => <tr key={i}><td>{h.key}</td><td><code>{render(h.value, props.view === 'auto' ? 'text' : props.view).text}</code></td></tr>)}</tbody></table></>}
        </td></tr>
      )}
    </>
  )
}

export function MessageBrowser (props: { topic: string, partitions: number }): JSX.Element {
  const [draft, setDraft] = useState<Query>(INITIAL)
  const [query, setQuery] = useState<Query>(INITIAL)
  const [view, setView] = useState<View>('auto')
  const live = query.mode === 'newest' && query.key === '' && query.text === '' && query.json === ''
  const page = usePoll(async () => await get<MessagePage>(`/console/api/topics/${enc(props.topic)}/messages?${toParams(query)}`), live ? 3000 : 0, [props.topic, query])
  const set = (k: keyof Query) => (e: { currentTarget: { value: string } }) => { setDraft({ ...draft, [k]: e.currentTarget.value }) }
  return (
    <>
      <form class="panel" id="browse" onSubmit={(e) => { e.preventDefault(); setQuery(draft) }}>
        <div class="row">
          <label>Partition <select name="partition" value={draft.partition} onChange={set('partition')}>
            <option value="all">all</option>
            {Array.from({ length: Math.min(props.partitions, 1000) }, (_, i) => <option key={i} value={String(i)}>{i}</option>)}
          </select></label>
          <label>From <select name="mode" value={draft.mode} onChange={set('mode')}>
            <option value="newest">newest first</option><option value="offset">an offset</option><option value="timestamp">a time</option>
          </select></label>
          {draft.mode === 'offset' && <label>Offset <input name="offset" type="number" min={0} value={draft.offset} onInput={set('offset')} /></label>}
          {draft.mode === 'timestamp' && <label>Time <input name="timestamp" type="datetime-local" step={1} value={draft.timestamp} onInput={set('timestamp')} /></label>}
          <label>Limit <input name="limit" type="number" min={1} max={500} value={draft.limit} onInput={set('limit')} /></label>
        </div>
        <div class="row">
          <label>Key is <input name="key" value={draft.key} onInput={set('key')} /></label>
          <label>Value contains <input name="text" value={draft.text} onInput={set('text')} /></label>
          <label>JSON field <input name="json" placeholder="customer.id=42" value={draft.json} onInput={set('json')} /></label>
          <label>Search the newest <input name="scan" type="number" min={1} max={100000} value={draft.scan} onInput={set('scan')} /> records</label>
        </div>
        <div class="row">
          <button type="submit">Show</button>
          <label class="inline">View as <select name="view" value={view} onChange={(e) => { setView(e.currentTarget.value as View) }}>
            <option value="auto">auto</option><option value="json">JSON</option><option value="text">text</option><option value="hex">hex</option>
          </select></label>
          {live && <span class="muted small">live</span>}
        </div>
      </form>
      <Problem error={page.error} />
      {page.data === null ? (page.error === null ? <Loading /> : null) : (
        <>
          <p class="muted" id="browse-summary">{count(page.data.records.length)} record(s){page.data.more ? ' (more past the limit)' : ''}{page.data.scanned !== undefined ? ` matched in the newest ${count(page.data.scanned)} records searched${page.data.windowComplete === true ? ' (the whole topic)' : ''}` : ''}. Click a row for its key, value and headers.</p>
          <table id="messages">
            <thead><tr><th class="num">Partition</th><th class="num">Offset</th><th>Timestamp</th><th>Key</th><th>Value</th><th class="num">Size</th><th class="num">Headers</th></tr></thead>
            <tbody>{page.data.records.map((r) => <Record key={`${r.partition}:${r.offset}`} r={r} view={view} />)}</tbody>
          </table>
        </>
      )}
    </>
  )
}
