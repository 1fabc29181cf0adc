// SVG charts drawn by Preact — no chart library: what the dashboard draws is a few
// bars, bands and dots, and drawing them here keeps the bundle small and the CSP
// strict.  Colours, fonts and strokes come from classes in styles.css (the CSP
// forbids style attributes in HTML; SVG geometry attributes are not styles).
//
// Accessibility: every chart is an <svg role="img"> labelled by its <title> and
// described by its <desc>, and is paired with a table of the same numbers
// (<ChartTable>), which is also where exact values are read.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

let nextId = 0;
// A stable id for aria references, per component instance.
export function useChartId(prefix) {
	return useMemo(() => prefix + '-' + (++nextId), []); // eslint-disable-line
}

// The width below which a big chart draws its narrow layout (a phone) instead of being
// scrolled sideways: the wide layouts are drawn for at least this many pixels.
export const NARROW = 640;

// [ref, narrow]: put ref on the chart's container; narrow is true while the container is
// narrower than `limit` px (ResizeObserver; the window's width until it reports), so
// the chart lays itself out for the room it has rather than shrinking its text.
export function useNarrow(limit = NARROW) {
	const ref = useRef(null);
	const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.innerWidth < limit);
	useEffect(() => {
		const el = ref.current;
		if (!el || typeof ResizeObserver === 'undefined')
			return undefined;
		const ro = new ResizeObserver((entries) => {
			const w = entries[0].contentRect.width;
			if (w > 0)
				setNarrow(w < limit);
		});
		ro.observe(el);
		return () => ro.disconnect();
	}, [limit]);
	return [ref, narrow];
}

// v in [d0, d1] → [r0, r1]
export function scale(d0, d1, r0, r1) {
	const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
	return (v) => r0 + (v - d0) * k;
}

// Round tick values from lo to at least hi: 0, 250k, 500k … (1, 2, 2.5 or 5 × 10^n steps).
export function ticks(lo, hi, count = 4) {
	if (!(hi > lo))
		return [lo];
	const raw = (hi - lo) / count;
	const mag = Math.pow(10, Math.floor(Math.log10(raw)));
	const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
	const out = [];
	for (let v = Math.floor(lo / step) * step; v < hi + step * 0.999; v += step)
		out.push(Math.round(v / step) * step);
	return out;
}

// <svg> with its title and description wired for screen readers.  `width` and
// `height` are the viewBox; the element scales to its container's width.  `narrow`:
// drawn in a narrow layout, so no minimum width (styles.css, .chart-narrow).
export function Chart({ title, desc, width, height, children, class: cls, narrow, ...rest }) {
	const id = useChartId('chart');
	return (
		<svg class={'chart' + (cls ? ' ' + cls : '') + (narrow ? ' chart-narrow' : '')} viewBox={'0 0 ' + width + ' ' + height}
			role="img" aria-labelledby={id + '-t ' + id + '-d'} preserveAspectRatio="xMinYMin meet" {...rest}>
			<title id={id + '-t'}>{title}</title>
			<desc id={id + '-d'}>{desc}</desc>
			{children}
		</svg>
	);
}

// The numbers of a chart as a table, folded under a summary line.
// columns: [{key, label, num}], rows: [{key, cells: {col: text}}]
export function ChartTable({ summary = 'Show the numbers as a table', caption, columns, rows, open }) {
	return (
		<details class="chart-table" open={open}>
			<summary>{summary}</summary>
			<div class="table-wrap">
				<table>
					{caption && <caption class="visually-hidden">{caption}</caption>}
					<thead>
						<tr>{columns.map((c) => <th key={c.key} scope="col" class={c.num ? 'num' : undefined}>{c.label}</th>)}</tr>
					</thead>
					<tbody>
						{rows.map((r) => (
							<tr key={r.key}>
								{columns.map((c, i) => i === 0
									? <th key={c.key} scope="row">{r.cells[c.key]}</th>
									: <td key={c.key} class={c.num ? 'num' : undefined}>{r.cells[c.key]}</td>)}
							</tr>
						))}
					</tbody>
				</table>
			</div>
		</details>
	);
}

// A text that does not overflow its room: cut with an ellipsis, the whole text in
// a <title> (shown as a tooltip).
export function FitText({ text, max, ...rest }) {
	const s = String(text);
	const cut = s.length > max ? s.slice(0, max - 1) + '…' : s;
	return (
		<text {...rest}>
			{cut !== s && <title>{s}</title>}
			{cut}
		</text>
	);
}

// A choice of a few views as a row of buttons — native radio buttons underneath, so
// arrow keys move between them and screen readers announce a group.
export function Segmented({ legend, name, options, value, onChange }) {
	return (
		<fieldset class="segmented">
			<legend class="visually-hidden">{legend}</legend>
			{options.map(([key, text]) => (
				<label key={key} class={value === key ? 'on' : ''}>
					<input type="radio" name={name} value={key} checked={value === key}
						onChange={() => onChange(key)} />
					{text}
				</label>
			))}
		</fieldset>
	);
}
