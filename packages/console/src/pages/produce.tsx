// The produce form: one record through the v3 API (key and value as JSON, text or base64 bytes,
// an optional partition and headers), answered with where it landed.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { enc, post, v3 } from '../api.js'

type Kind = 'JSON' | 'STRING' | 'BINARY'

const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)))

function data (kind: Kind, text: string): unknown {
  if (kind === 'JSON') return JSON.parse(text)
  return text
}

export function ProduceForm (props: { topic: string, partitions: number }): JSX.Element {
  const [key, setKey] = useState('')
  const [keyKind, setKeyKind] = useState<Kind>('STRING')
  const [value, setValue] = useState('')
  const [valueKind, setValueKind] = useState<Kind>('JSON')
  const [partition, setPartition] = useState('')
  const [headers, setHeaders] = useState('')
  const [result, setResult] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(null)
    setResult(null)
    try {
      const body: Record<string, unknown> = {}
      if (key !== '') body.key = { type: keyKind, data: data(keyKind, key) }
      body.value = value === '' ? null : { type: valueKind, data: data(valueKind, value) }
      if (body.value === null) delete body.value
      if (partition !== '') body.partition_id = Number(partition)
      const hs = headers.split('\n').map((l) => l.trim()).filter((l) => l !== '')
      if (hs.length > 0) {
        body.headers = hs.map((l) => {
          const eq = l.indexOf('=')
          if (eq <= 0) throw new Error(`header not name=value: ${l}`)
          return { name: l.slice(0, eq), value: b64(l.slice(eq + 1)) }
        })
      }
      const r = await post<{ partition_id: number, offset: number }>(`${await v3()}/topics/${enc(props.topic)}/records`, body)
      setResult(`Produced to partition ${r.partition_id} at offset ${r.offset}.`)
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const kinds = (v: Kind, set: (k: Kind) => void, name: string): JSX.Element => (
    <select name={name} value={v} onChange={(e) => { set(e.currentTarget.value as Kind) }}>
      <option value="STRING">text</option><option value="JSON">JSON</option><option value="BINARY">base64 bytes</option>
    </select>
  )
  return (
    <form class="panel" id="produce" onSubmit={(e) => { void submit(e) }}>
      <h3>Produce a record to {props.topic}</h3>
      <div class="row">
        <label>Key <input name="key" value={key} onInput={(e) => { setKey(e.currentTarget.value) }} /></label>
        <label>as {kinds(keyKind, setKeyKind, 'key_type')}</label>
        <label>Partition <input name="partition" type="number" min={0} max={props.partitions - 1} placeholder="by key" value={partition} onInput={(e) => { setPartition(e.currentTarget.value) }} /></label>
      </div>
      <label>Value ({kinds(valueKind, setValueKind, 'value_type')})<textarea name="value" rows={5} value={value} onInput={(e) => { setValue(e.currentTarget.value) }} /></label>
      <label>Headers (name=value per line)<textarea name="headers" rows={2} value={headers} onInput={(e) => { setHeaders(e.currentTarget.value) }} /></label>
      {error !== null && <p class="error" role="alert">{error}</p>}
      {result !== null && <p class="ok-line" id="produce-result">{result}</p>}
      <button type="submit">Produce</button>
    </form>
  )
}
