// The pipeline board: one column per stage of a pipeline, open deals in the open
// stages, deals closed in the last 30 days in the won and lost ones.  Column totals
// come from the server (the list's total; the funnel report's open amounts), never from
// adding up the cards shown.  Moving a deal — drag and drop, Shift+←/→, or the Move
// button — goes through POST /move and its rules (components/move.jsx).
import { useEffect, useRef, useState } from 'preact/hooks';
import { cached, get, loadNames, nameOf } from '../api.js';
import { isOpenSection, useMove } from '../components/move.jsx';
import { ErrorBox, Loading, Page } from '../components/ui.jsx';
import { date, money, plural } from '../format.js';
import { Link, navigate, searchParams } from '../router.jsx';
import { isManager, useSession } from '../session.js';

const PAGE = 25;
const CLOSED_DAYS = 30;

function daysAgoIso(n) {
	return new Date(Date.now() - n * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function names(opps) {
	await Promise.all([
		loadNames('accounts', opps.map((o) => o.account_id)),
		loadNames('users', opps.map((o) => o.owner_id)),
	]);
}

async function fetchColumn(pipelineId, stage, ownerId, cursor, withNames = true) {
	const open = isOpenSection(stage.section);
	const q = {
		pipeline_id: pipelineId, stage: stage.key, owner_id: ownerId, limit: PAGE, cursor,
		sort: open ? 'close_date' : '-close_date',
		total: cursor ? undefined : 'true',
	};
	// the status follows the stage; naming it lets the server use its (status, closed_at)
	// index for the closed columns (15 s → 0.3 s at a million deals)
	q.status = open ? 'open' : stage.section === 'won' ? 'won' : 'lost';
	if (!open)
		q.closed_at_from = daysAgoIso(CLOSED_DAYS);
	const page = await get('/opportunities', q);
	if (withNames)
		await names(page.data);
	return page;
}

export function Board() {
	const { user } = useSession();
	const params = searchParams();
	const [pipelines, setPipelines] = useState(null);
	const [pipelineId, setPipelineId] = useState(params.get('pipeline') ? +params.get('pipeline') : null);
	const [mine, setMine] = useState(params.get('mine') === '1' || user.role === 'rep');
	const [cols, setCols] = useState(null);   // stage key → {data, next_cursor, total, loading, error}
	const [totals, setTotals] = useState(null); // stage key → {amount, currency}; null: not known
	const [error, setError] = useState(null);
	const [ready, setReady] = useState(false);
	const [focusId, setFocusId] = useState(null);
	const load = useRef(0);

	const pipeline = pipelines && pipelines.find((p) => p.id === pipelineId);
	const stages = pipeline ? pipeline.stages : [];
	const ownerId = mine ? user.id : undefined;

	useEffect(() => {
		cached('/pipelines').then((r) => {
			setPipelines(r.data);
			if (!r.data.some((p) => p.id === pipelineId))
				setPipelineId((r.data.find((p) => p.is_default) || r.data[0] || {}).id || null);
		}, setError);
	}, []);

	const loadTotals = async () => {
		if (!pipeline)
			return;
		try {
			const rep = await get('/reports/funnel', { pipeline_id: pipeline.id, owner_id: ownerId });
			const t = {};
			for (const g of rep.groups)
				for (const s of g.stages)
					t[s.key] = { amount: s.open_amount, currency: rep.currency, excluded: rep.excluded_other_currency };
			setTotals(t);
		} catch (e) {
			setTotals(null); // e.g. 503 while the server builds its index: counts only
		}
	};

	const reloadColumn = async (key) => {
		const stage = stages.find((s) => s.key === key);
		if (!stage)
			return;
		try {
			const page = await fetchColumn(pipeline.id, stage, ownerId);
			setCols((c) => ({ ...c, [key]: { ...page, loading: false } }));
		} catch (e) {
			setCols((c) => ({ ...c, [key]: { ...(c[key] || {}), error: e } }));
		}
	};

	useEffect(() => {
		if (!pipeline)
			return;
		const n = ++load.current;
		setCols(null);
		setReady(false);
		const q = new URLSearchParams();
		q.set('pipeline', pipeline.id);
		if (mine && user.role !== 'rep')
			q.set('mine', '1');
		history.replaceState(null, '', '/board?' + q);
		// every column at once, then the names on all their cards in a few batches
		Promise.all([
			Promise.all(stages.map((s) => fetchColumn(pipeline.id, s, ownerId, undefined, false)
				.then((p) => [s.key, p], (e) => [s.key, { data: [], error: e }]))),
			loadTotals(),
		]).then(async ([entries]) => {
			await names(entries.flatMap(([, p]) => p.data)).catch(() => {});
			if (n !== load.current)
				return;
			setCols(Object.fromEntries(entries));
			setReady(true);
			performance.mark('board-ready');
		});
	}, [pipelineId, pipelines, mine]);

	const more = async (stage) => {
		const c = cols[stage.key];
		setCols((x) => ({ ...x, [stage.key]: { ...c, loading: true } }));
		try {
			const page = await fetchColumn(pipeline.id, stage, ownerId, c.next_cursor);
			setCols((x) => ({ ...x, [stage.key]: { ...c, data: [...c.data, ...page.data], next_cursor: page.next_cursor, loading: false } }));
		} catch (e) {
			setCols((x) => ({ ...x, [stage.key]: { ...c, loading: false, error: e } }));
		}
	};

	// after a move: the card goes to its new column at once, then both columns and the
	// totals are read again from the server
	const onMoved = (moved, fromKey) => {
		setCols((c) => {
			const x = { ...c };
			const from = x[fromKey];
			if (from)
				x[fromKey] = { ...from, data: from.data.filter((o) => o.id !== moved.id), total: Math.max(0, (from.total || 1) - 1) };
			const to = x[moved.stage];
			if (to)
				x[moved.stage] = { ...to, data: [moved, ...to.data], total: (to.total || 0) + 1 };
			return x;
		});
		Promise.all([reloadColumn(fromKey), reloadColumn(moved.stage), loadTotals()]).then(() => setFocusId(moved.id));
	};
	const mover = useMove(onMoved);

	// the moved card keeps the focus, in its new column, once the dialog has closed
	// (closing a dialog gives the focus back to where it was before it opened)
	useEffect(() => {
		if (!focusId || mover.active)
			return;
		const el = document.querySelector('[data-card="' + focusId + '"]');
		if (el) {
			el.focus();
			el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
		}
		setFocusId(null);
	}, [focusId, mover.active, cols]);

	const find = (id) => {
		for (const c of Object.values(cols || {}))
			for (const o of c.data || [])
				if (o.id === id)
					return o;
		return null;
	};

	const onKey = (e, opp) => {
		const i = stages.findIndex((s) => s.key === opp.stage);
		if (e.shiftKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
			e.preventDefault();
			const to = stages[i + (e.key === 'ArrowRight' ? 1 : -1)];
			if (to)
				mover.start(opp, stages, to.key);
		} else if (e.key === 'm' || e.key === 'M') {
			e.preventDefault();
			mover.choose(opp, stages);
		} else if (e.key === 'Enter') {
			e.preventDefault();
			navigate('/opportunities/' + opp.id);
		} else if (['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(e.key) && !e.altKey && !e.ctrlKey && !e.metaKey) {
			e.preventDefault();
			focusNeighbour(e.currentTarget, e.key);
		}
	};

	const actions = pipelines && (
		<>
			{pipelines.length > 1 && (
				<label class="inline-label">
					<span>Pipeline</span>
					<select class="inline-select" value={pipelineId || ''} onChange={(e) => setPipelineId(+e.currentTarget.value)}>
						{pipelines.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
					</select>
				</label>
			)}
			{pipelines.length === 1 && <span class="muted">{pipelines[0].name}</span>}
			{user.role !== 'rep' && (
				<label class="inline-check">
					<input type="checkbox" checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} />
					<span>Only my deals</span>
				</label>
			)}
		</>
	);

	return (
		<Page title="Pipeline board" actions={actions} wide>
			<ErrorBox error={error} />
			<p class="board-help muted" id="board-help">
				Drag a card to another stage, or focus it and press Shift+→ / Shift+← (M: choose the stage, Enter: open).
				{isManager(user) ? ' Refused moves can be overridden with a reason.' : ''}
			</p>
			{!cols && !error && <Loading what="the board" />}
			{cols && (
				<div class="board" data-ready={ready ? '1' : undefined} aria-describedby="board-help">
					{stages.map((s, si) => (
						<Column key={s.key} stage={s} index={si} col={cols[s.key] || { data: [] }} total={totals && totals[s.key]}
							onMore={() => more(s)} onKey={onKey} onDropCard={(id) => mover.start(find(id), stages, s.key)}
							onMoveMenu={(opp) => mover.choose(opp, stages)} />
					))}
				</div>
			)}
			{mover.dialog}
		</Page>
	);
}

function Column({ stage, index, col, total, onMore, onKey, onDropCard, onMoveMenu }) {
	const [over, setOver] = useState(false);
	const open = isOpenSection(stage.section);
	const count = col.total !== undefined ? col.total : col.data.length;
	const headId = 'col-' + stage.key;
	return (
		<section class={'column column-' + stage.section + (over ? ' column-over' : '')} aria-labelledby={headId} data-stage={stage.key}
			onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(true); }}
			onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget)) setOver(false); }}
			onDrop={(e) => {
				e.preventDefault();
				setOver(false);
				const id = +e.dataTransfer.getData('text/plain');
				if (id)
					onDropCard(id);
			}}>
			<header class="column-head">
				<h2 id={headId}>{stage.name}</h2>
				<p class="column-totals">
					<span class="column-count" data-count={count}>{plural(count, 'deal')}</span>
					{open && total && <span class="column-amount">{money(total.amount, total.currency)}</span>}
				</p>
				{!open && <p class="column-note">closed in the last {CLOSED_DAYS} days</p>}
			</header>
			<ol class="cards" aria-label={stage.name}>
				{col.data.map((o) => (
					<li key={o.id}>
						<Card opp={o} column={index} onKey={onKey} onMoveMenu={onMoveMenu} />
					</li>
				))}
			</ol>
			{col.error && <p class="field-error">{col.error.message}</p>}
			{col.next_cursor && (
				<button type="button" class="btn btn-small btn-block" onClick={onMore} disabled={col.loading}>
					{col.loading ? 'Loading…' : 'Show more'}
				</button>
			)}
			{!col.data.length && !col.error && <p class="empty column-empty">No deals</p>}
		</section>
	);
}

function Card({ opp, column, onKey, onMoveMenu }) {
	const overdue = opp.status === 'open' && opp.close_date && opp.close_date < new Date().toISOString().slice(0, 10);
	return (
		<article class="card" tabindex="0" draggable="true" data-card={opp.id} data-column={column}
			aria-label={opp.name + ', ' + money(opp.amount, opp.currency)}
			onDragStart={(e) => {
				e.dataTransfer.setData('text/plain', String(opp.id));
				e.dataTransfer.effectAllowed = 'move';
				e.currentTarget.classList.add('card-dragging');
			}}
			onDragEnd={(e) => e.currentTarget.classList.remove('card-dragging')}
			onKeyDown={(e) => e.target === e.currentTarget && onKey(e, opp)}>
			<h3 class="card-title"><Link href={'/opportunities/' + opp.id} tabindex="-1" draggable={false}>{opp.name}</Link></h3>
			<p class="card-account">{nameOf('accounts', opp.account_id)}</p>
			<dl class="card-facts">
				<div><dt>Amount</dt><dd class="card-amount">{money(opp.amount, opp.currency)}</dd></div>
				<div><dt>Close date</dt><dd class={overdue ? 'overdue' : ''} title={overdue ? 'Close date passed' : 'Close date'}>{overdue ? '⚠ ' : ''}{date(opp.close_date)}<span class="visually-hidden">{overdue ? ' (overdue)' : ''}</span></dd></div>
				<div><dt>Owner</dt><dd>{nameOf('users', opp.owner_id)}</dd></div>
			</dl>
			<button type="button" class="btn btn-small card-move" onClick={() => onMoveMenu(opp)} aria-label={'Move ' + opp.name}>Move…</button>
		</article>
	);
}

// Arrow keys walk the cards: up/down within a column, left/right to the next column.
function focusNeighbour(card, key) {
	const cards = [...document.querySelectorAll('.board .card')];
	const col = +card.dataset.column;
	const same = cards.filter((c) => +c.dataset.column === col);
	const i = same.indexOf(card);
	let target = null;
	if (key === 'ArrowDown')
		target = same[i + 1];
	else if (key === 'ArrowUp')
		target = same[i - 1];
	else {
		const step = key === 'ArrowRight' ? 1 : -1;
		for (let c = col + step; c >= 0 && !target; c += step) {
			const there = cards.filter((x) => +x.dataset.column === c);
			if (!there.length && !cards.some((x) => (step > 0 ? +x.dataset.column > c : +x.dataset.column < c)))
				break;
			target = there[Math.min(i, there.length - 1)];
		}
	}
	if (target) {
		target.focus();
		target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
	}
}
