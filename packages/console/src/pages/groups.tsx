// Groups: consumer groups (classic and KIP-848) and share groups, with state, members and lag.
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { enc, get, type GroupRow } from '../api.js'
import { count } from '../format.js'
import { usePoll } from '../hooks.js'
import { Loading, Problem, Section, usePaged } from '../ui.js'

export function GroupsPage (): JSX.Element {
  const groups = usePoll(async () => await get<{ groups: GroupRow[] }>('/console/api/groups'), 3000, [])
  const [filter, setFilter] = useState('')
  const rows = (groups.data?.groups ?? []).filter((g) => g.groupId.toLowerCase().includes(filter.toLowerCase()))
  const { shown, pager } = usePaged(rows, 100)
  return (
    <>
      <h1>Groups</h1>
      <Problem error={groups.error} />
      <Section title={`${rows.length} group(s)`} actions={<input type="search" placeholder="Filter" value={filter} onInput={(e) => { setFilter(e.currentTarget.value) }} />}>
        {groups.data === null ? <Loading /> : (
          <table id="groups">
            <thead><tr><th>Group</th><th>Type</th><th>State</th><th class="num">Members</th><th class="num">Partitions</th><th class="num">Lag</th></tr></thead>
            <tbody>
              {shown.map((g) => (
                <tr key={g.groupId} data-group={g.groupId}>
                  <td><a href={`#/groups/${enc(g.groupId)}?type=${g.type}`}>{g.groupId}</a></td>
                  <td>{g.kind}</td><td>{g.state}</td><td class="num">{count(g.members)}</td><td class="num">{count(g.partitions)}</td>
                  <td class={`num ${(g.totalLag ?? 0) > 0 ? 'warn-text' : ''}`}>{count(g.totalLag)}</td>
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
