// Moving a deal to another stage, as the board and the opportunity page both do it:
// POST /api/v1/opportunities/{id}/move.  A lost stage asks for a reason from the
// managed list; a refusal (409) lists each unmet rule in the server's plain words and,
// for a manager or admin, offers the override with a reason, on the record.
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { isManager, useSession } from '../session.js';
import { Field, Modal, toast } from './ui.jsx';

export const isOpenSection = (section) => section === 'upper' || section === 'middle' || section === 'lower';

let lostReasons = null;
async function loadLostReasons() {
	if (!lostReasons)
		lostReasons = (await get('/lost_reasons', { limit: 200 })).data.filter((r) => r.active !== false);
	return lostReasons;
}

// useMove(onMoved) → {start(opp, stages, toKey), choose(opp, stages), dialog, active}
// onMoved(updatedOpportunity, fromStageKey) after a move went through.
export function useMove(onMoved) {
	const { user } = useSession();
	const [st, setSt] = useState(null);
	const close = () => setSt(null);
	const stageOf = (stages, key) => stages.find((s) => s.key === key) || { key, name: key };

	const send = async (s, body) => {
		setSt({ ...s, busy: true, error: null });
		try {
			const moved = await post('/opportunities/' + s.opp.id + '/move', body);
			setSt(null);
			toast('Moved “' + s.opp.name + '” to ' + stageOf(s.stages, body.stage).name + (body.override ? ' (override)' : ''));
			onMoved(moved, s.opp.stage);
		} catch (err) {
			if (err.status === 409 && err.errors.length)
				setSt({ ...s, mode: 'refused', to: body.stage, busy: false, refusal: err.errors.map((e) => e.message), lost_reason: body.lost_reason });
			else
				setSt({ ...s, busy: false, error: err });
		}
	};

	const start = async (opp, stages, to) => {
		if (!opp || to === opp.stage)
			return;
		const target = stageOf(stages, to);
		const s = { opp, stages, to, busy: false, error: null, reason: '', note: '' };
		if (target.section === 'lost') {
			setSt({ ...s, mode: 'lost', reasons: null });
			try {
				const reasons = await loadLostReasons();
				setSt((cur) => cur && { ...cur, reasons, lost_reason: reasons[0] ? reasons[0].name : '' });
			} catch (err) {
				setSt((cur) => cur && { ...cur, error: err });
			}
			return;
		}
		send(s, { stage: to });
	};

	const choose = (opp, stages) => setSt({ opp, stages, mode: 'pick', to: nextStage(opp, stages), busy: false, error: null });

	let dialog = null;
	if (st) {
		const target = stageOf(st.stages, st.to);
		const from = stageOf(st.stages, st.opp.stage);
		const set = (k) => (e) => setSt({ ...st, [k]: e.currentTarget.value });
		let body, footer;
		if (st.mode === 'pick') {
			body = (
				<form id="move-form" onSubmit={(e) => { e.preventDefault(); start(st.opp, st.stages, st.to); }}>
					<p>“{st.opp.name}” is in <strong>{from.name}</strong>.</p>
					<Field label="Move to" name="move-stage">
						{(id) => (
							<select id={id} value={st.to} onChange={set('to')} autofocus>
								{st.stages.filter((s) => s.key !== st.opp.stage).map((s) => <option key={s.key} value={s.key}>{s.name}</option>)}
							</select>
						)}
					</Field>
				</form>
			);
			footer = [
				<button key="c" type="button" class="btn" onClick={close}>Cancel</button>,
				<button key="m" type="submit" form="move-form" class="btn btn-primary">Move</button>,
			];
		} else if (st.mode === 'lost') {
			body = (
				<form id="move-form" onSubmit={(e) => { e.preventDefault(); send(st, { stage: st.to, lost_reason: st.lost_reason, ...(st.note ? { reason: st.note } : {}) }); }}>
					<p>Why was “{st.opp.name}” lost?</p>
					{!st.reasons && !st.error && <p class="loading">Loading reasons…</p>}
					{st.reasons && (
						<Field label="Lost reason" name="lost-reason">
							{(id) => (
								<select id={id} value={st.lost_reason} onChange={set('lost_reason')} required>
									{st.reasons.map((r) => <option key={r.id} value={r.name}>{r.name}</option>)}
								</select>
							)}
						</Field>
					)}
					<Field label="Note (optional)" name="lost-note">
						{(id) => <textarea id={id} value={st.note} onInput={set('note')} maxLength={1000} />}
					</Field>
				</form>
			);
			footer = [
				<button key="c" type="button" class="btn" onClick={close}>Cancel</button>,
				<button key="m" type="submit" form="move-form" class="btn btn-danger" disabled={st.busy || !st.reasons}>Mark as lost</button>,
			];
		} else if (st.mode === 'refused') {
			const canOverride = isManager(user);
			body = (
				<form id="move-form" onSubmit={(e) => {
					e.preventDefault();
					send(st, { stage: st.to, override: true, reason: st.reason, ...(st.lost_reason ? { lost_reason: st.lost_reason } : {}) });
				}}>
					<div class="alert alert-warn" role="alert">
						<p>Moving “{st.opp.name}” from {from.name} to <strong>{target.name}</strong> does not follow the sales process:</p>
						<ul class="unmet">
							{st.refusal.map((m, i) => <li key={i}>{m}</li>)}
						</ul>
					</div>
					{canOverride ? (
						<Field label="Reason for the exception" name="override-reason" hint="Kept on the deal's stage history and in its audit trail.">
							{(id, desc) => <textarea id={id} aria-describedby={desc} value={st.reason} onInput={set('reason')} required maxLength={1000} />}
						</Field>
					) : (
						<p>Do what is missing first, or ask your manager if an exception is needed.</p>
					)}
				</form>
			);
			footer = canOverride ? [
				<button key="c" type="button" class="btn" onClick={close}>Cancel</button>,
				<button key="m" type="submit" form="move-form" class="btn btn-primary" disabled={st.busy || !st.reason.trim()}>Override and move</button>,
			] : [<button key="c" type="button" class="btn btn-primary" onClick={close}>OK</button>];
		} else {
			body = st.busy ? <p class="loading">Moving…</p> : null;
		}
		const title = st.mode === 'refused' ? 'Move refused' : st.mode === 'lost' ? 'Mark as lost' : 'Move deal';
		const visible = st.mode !== undefined && (st.mode || st.error);
		dialog = (
			<Modal title={title} open={!!visible} onClose={close} footer={footer}>
				{st.error && <p class="alert alert-error" role="alert">{st.error.message}</p>}
				{body}
			</Modal>
		);
	}
	return { start, choose, dialog, active: !!st };
}

function nextStage(opp, stages) {
	const i = stages.findIndex((s) => s.key === opp.stage);
	const next = stages[i + 1] || stages[i - 1] || stages[0];
	return next.key;
}
