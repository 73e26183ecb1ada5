// The console's shell: a side bar of pages and a hash router (#/topics/orders), so every view has
// an address that survives a reload and no server route is needed besides the bundle's files.
import { type JSX, render } from 'preact'
import 'uplot/dist/uPlot.min.css'
import './styles.css'
import { useHash } from './hooks.js'
import { OverviewPage } from './pages/overview.js'
import { TopicsPage } from './pages/topics.js'
import { TopicPage } from './pages/topic.js'
import { GroupsPage } from './pages/groups.js'
import { GroupPage } from './pages/group.js'
import { TransactionsPage } from './pages/transactions.js'
import { DeliveryPage } from './pages/delivery.js'

const NAV = [
  { href: '#/', label: 'Overview', match: (p: string[]) => p.length === 0 },
  { href: '#/topics', label: 'Topics', match: (p: string[]) => p[0] === 'topics' },
  { href: '#/groups', label: 'Groups', match: (p: string[]) => p[0] === 'groups' },
  { href: '#/transactions', label: 'Transactions', match: (p: string[]) => p[0] === 'transactions' },
  { href: '#/delivery', label: 'Delivery', match: (p: string[]) => p[0] === 'delivery' }
]

function route (parts: string[], query: URLSearchParams): JSX.Element {
  const [page, id] = parts
  if (page === 'topics' && id !== undefined) return <TopicPage name={id} tab={query.get('tab') ?? 'partitions'} />
  if (page === 'topics') return <TopicsPage />
  if (page === 'groups' && id !== undefined) return <GroupPage id={id} type={query.get('type') === 'share' ? 'share' : 'consumer'} />
  if (page === 'groups') return <GroupsPage />
  if (page === 'transactions') return <TransactionsPage />
  if (page === 'delivery') return <DeliveryPage />
  return <OverviewPage />
}

function App (): JSX.Element {
  const hash = useHash()
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?')
  const parts = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s))
  return (
    <div class="shell">
      <nav class="side">
        <a class="brand" href="#/">Brook</a>
        {NAV.map((n) => <a key={n.href} href={n.href} class={n.match(parts) ? 'active' : ''}>{n.label}</a>)}
        <span class="grow" />
        <a href="/openapi.json" target="_blank" rel="noreferrer">API</a>
      </nav>
      <main>{route(parts, new URLSearchParams(search))}</main>
    </div>
  )
}

render(<App />, document.getElementById('app')!)
