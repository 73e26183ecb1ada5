// Delayed and scheduled delivery: the topics whose records wait (delivery.delay.ms) or may carry
// a delivery time (delivery.schedule.enable), with links to their records.
import type { JSX } from 'preact'
import { enc, get, type DeliveryRow } from '../api.js'
import { count } from '../format.js'
import { usePoll } from '../hooks.js'
import { Loading, Problem } from '../ui.js'

export function DeliveryPage (): JSX.Element {
  const delivery = usePoll(async () => await get<{ topics: DeliveryRow[] }>('/console/api/delivery'), 5000, [])
  const rows = delivery.data?.topics
  return (
    <>
      <h1>Delayed and scheduled delivery</h1>
      <Problem error={delivery.error} />
      {rows === undefined ? <Loading /> : rows.length === 0 ? <p class="muted">No topic delays or schedules its records (topic configs delivery.delay.ms and delivery.schedule.enable).</p> : (
        <table id="delivery">
          <thead><tr><th>Topic</th><th class="num">Partitions</th><th class="num">Delay</th><th>Scheduled records</th><th /></tr></thead>
          <tbody>{rows.map((t) => (
            <tr key={t.name} data-topic={t.name}>
              <td><a href={`#/topics/${enc(t.name)}`}>{t.name}</a></td><td class="num">{count(t.partitions)}</td>
              <td class="num">{t.delayMs > 0 ? `${count(t.delayMs)} ms` : '–'}</td><td>{t.scheduleEnabled ? 'enabled' : '–'}</td>
              <td><a href={`#/topics/${enc(t.name)}?tab=messages`}>records</a> · <a href={`#/topics/${enc(t.name)}?tab=configs`}>configs</a></td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </>
  )
}
