// Small pieces every page uses: cards, error and loading lines, a paged table body.
import type { ComponentChildren, JSX } from 'preact'
import { useState } from 'preact/hooks'

export function Card (props: { label: string, value: ComponentChildren, hint?: string, tone?: 'ok' | 'warn' | 'bad' }): JSX.Element {
  return (
    <div class={`card ${props.tone ?? ''}`} data-card={props.label}>
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
      {props.hint !== undefined && <div class="hint">{props.hint}</div>}
    </div>
  )
}

export function Problem (props: { error: string | null }): JSX.Element | null {
  return props.error === null ? null : <p class="error" role="alert">{props.error}</p>
}

export const Loading = (): JSX.Element => <p class="muted">Loading…</p>

/** Rows `page * size` .. and the pager: long lists (10,000 partitions) render one page at a time. */
export function usePaged<T> (rows: readonly T[], size = 100): { shown: readonly T[], pager: JSX.Element | null } {
  const [page, setPage] = useState(0)
  const pages = Math.max(1, Math.ceil(rows.length / size))
  const at = Math.min(page, pages - 1)
  const shown = rows.slice(at * size, at * size + size)
  if (pages === 1) return { shown, pager: null }
  return {
    shown,
    pager: (
      <div class="pager">
        <button type="button" disabled={at === 0} onClick={() => { setPage(at - 1) }}>‹ Prev</button>
        <span>{at * size + 1}–{Math.min(rows.length, at * size + size)} of {rows.length.toLocaleString('en-US')}</span>
        <button type="button" disabled={at >= pages - 1} onClick={() => { setPage(at + 1) }}>Next ›</button>
      </div>
    )
  }
}

export function Section (props: { title: string, children: ComponentChildren, actions?: ComponentChildren }): JSX.Element {
  return (
    <section>
      <div class="section-head"><h2>{props.title}</h2>{props.actions}</div>
      {props.children}
    </section>
  )
}
