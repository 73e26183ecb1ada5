// Transactions: every transactional id the brokers coordinate, its producer id and state.
import type { JSX } from 'preact'
import { get, type TransactionRow } from '../api.js'
import { usePoll } from '../hooks.js'
import { Loading, Problem } from '../ui.js'

export function TransactionsPage (): JSX.Element {
  const txns = usePoll(async () => await get<{ transactions: TransactionRow[] }>('/console/api/transactions'), 3000, [])
  const rows = txns.data?.transactions
  return (
    <>
      <h1>Transactions</h1>
      <Problem error={txns.error} />
      {rows === undefined ? <Loading /> : rows.length === 0 ? <p class="muted">No transactional producers.</p> : (
        <table>
          <thead><tr><th>Transactional id</th><th class="num">Producer id</th><th>State</th><th>Coordinator</th></tr></thead>
          <tbody>{rows.map((t) => <tr key={t.transactionalId}><td>{t.transactionalId}</td><td class="num">{t.producerId}</td><td>{t.state}</td><td>{t.coordinator}</td></tr>)}</tbody>
        </table>
      )}
    </>
  )
}
