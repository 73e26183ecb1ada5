// A time series chart (uPlot) that follows the page's colours and its container's width.
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'

export function TimeChart (props: { label: string, times: number[], values: number[], height?: number }): JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  useEffect(() => {
    const el = box.current
    if (el === null) return
    const style = getComputedStyle(document.documentElement)
    const fg = style.getPropertyValue('--muted').trim() || '#888'
    const line = style.getPropertyValue('--accent').trim() || '#1f6feb'
    const grid = style.getPropertyValue('--border').trim() || '#ddd'
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
    plot.current = new uPlot({
      width: el.clientWidth || 600,
      height: props.height ?? 200,
      series: [{}, { label: props.label, stroke: line, width: 2, fill: line + '22' }],
      axes: [axis, axis],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      legend: { show: true }
    }, [[], []], el)
    const resize = new ResizeObserver(() => { plot.current?.setSize({ width: el.clientWidth, height: props.height ?? 200 }) })
    resize.observe(el)
    return () => { resize.disconnect(); plot.current?.destroy(); plot.current = null }
  }, [props.label])
  useEffect(() => {
    plot.current?.setData([props.times.map((t) => t / 1000), props.values])
  }, [props.times, props.values])
  return <div class="chart" ref={box} />
}
