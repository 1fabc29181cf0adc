// A record's fields as a form, built from the API's own schema for the write
// (<Type>Create or <Type>Update in /api/v1/openapi.json): the controls, bounds and
// required marks are the server's, and the server's message for each field is shown
// beside it.  Only what changed is sent on an update (PATCH with If-Match).
import { useEffect, useState } from 'preact/hooks';
import { isManager, useSession } from '../session.js';
import { recordSchemas, typeOf } from '../schema.js';
import { humanField, nameOf } from '../api.js';
import { ErrorBox, Field, Loading } from './ui.jsx';
import { LookupSelect, RecordPicker, UserSelect, forms, pipelines, teams } from './lookups.jsx';

// "… (an id of users)" → "users"
export function refOf(prop) {
	const m = /\(an id of (\w+)\)/.exec(prop.description || '');
	return m ? m[1] : null;
}

// The value of a record's field as the form edits it (text for inputs).
function toInput(prop, v) {
	if (v === null || v === undefined)
		return '';
	if (typeOf(prop).type === 'boolean')
		return !!v;
	return String(v);
}

// The form's text back to the JSON the API takes; undefined for "not given".
function fromInput(prop, text) {
	const { type, nullable } = typeOf(prop);
	if (type === 'boolean')
		return !!text;
	if (text === '' || text === null)
		return nullable ? null : undefined;
	if (type === 'integer' && /^-?\d+$/.test(text))
		return Number(text);
	return text;
}

// mode: 'create' | 'update'.  record: current values (update).  fields: which to show,
// in order (default: all the schema has).  fixed: values sent as they are (create).
export function RecordForm({ resource, mode, record, fields, fixed, submitLabel, onSubmit, onCancel, idPrefix = 'rf' }) {
	const { user } = useSession();
	const [schema, setSchema] = useState(null);
	const [values, setValues] = useState({});
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const [loadError, setLoadError] = useState(null);

	useEffect(() => {
		recordSchemas(resource).then((s) => {
			const sch = mode === 'create' ? s.create : s.update;
			setSchema(sch);
			const v = {};
			for (const [k, p] of Object.entries(sch.properties))
				v[k] = toInput(p, record ? record[k] : undefined);
			setValues(v);
		}, setLoadError);
	}, [resource, mode, record]);

	if (loadError)
		return <ErrorBox error={loadError} />;
	if (!schema)
		return <Loading what="the form" />;
	const required = new Set(schema.required || []);
	const names = (fields || Object.keys(schema.properties)).filter((k) => schema.properties[k] && !(fixed && k in fixed));

	const submit = async (e) => {
		e.preventDefault();
		const body = { ...(fixed || {}) };
		for (const k of names) {
			const p = schema.properties[k];
			const v = fromInput(p, values[k]);
			if (mode === 'update') {
				const before = record[k] === undefined ? null : record[k];
				if (v === undefined || JSON.stringify(v) === JSON.stringify(before))
					continue;
			} else if (v === undefined || v === null) {
				continue;
			}
			body[k] = v;
		}
		setBusy(true);
		setError(null);
		try {
			await onSubmit(body);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};

	const set = (k, v) => setValues((s) => ({ ...s, [k]: v }));
	const fe = (k) => error && error.fields && error.fields[k];
	const unfielded = error && !(error.fields && names.some((k) => error.fields[k]));

	return (
		<form class="record-form" onSubmit={submit} noValidate>
			{unfielded && <ErrorBox error={error} />}
			{error && !unfielded && <p class="alert alert-error" role="alert">Check the fields marked below.</p>}
			<div class="form-grid">
				{names.map((k) => {
					const p = schema.properties[k];
					if (p.type && (Array.isArray(p.type) ? p.type.includes('object') : p.type === 'object'))
						return null; // JSON answers (qualification) are shown, not edited here
					const label = humanField(k) + (required.has(k) ? ' (required)' : '');
					return (
						<Field key={k} name={idPrefix + '-' + k} label={label} error={fe(k)}>
							{(id, describedBy) => control(k, p, id, describedBy)}
						</Field>
					);
				})}
			</div>
			<div class="form-actions">
				{onCancel && <button type="button" class="btn" onClick={onCancel}>Cancel</button>}
				<button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : submitLabel || 'Save'}</button>
			</div>
		</form>
	);

	function control(k, p, id, describedBy) {
		const { type } = typeOf(p);
		const ref = refOf(p);
		const v = values[k];
		const req = required.has(k);
		if (ref === 'users' && k === 'owner_id') {
			if (!isManager(user))
				return <input id={id} value={v ? nameOf('users', Number(v)) : user.name} readOnly aria-describedby={describedBy} />;
			return <UserSelect id={id} value={v} describedBy={describedBy} activeOnly emptyLabel={mode === 'create' ? 'Me' : '—'}
				allowEmpty={mode === 'create'} onChange={(x) => set(k, x)} />;
		}
		if (ref === 'users')
			return <UserSelect id={id} value={v} describedBy={describedBy} activeOnly emptyLabel="—" onChange={(x) => set(k, x)} />;
		if (ref === 'teams' || ref === 'pipelines' || ref === 'forms')
			return <LookupSelect id={id} fn={{ teams, pipelines, forms }[ref]} value={v} describedBy={describedBy} onChange={(x) => set(k, x)} />;
		if (ref === 'accounts' || ref === 'contacts')
			return <RecordPicker id={id} kind={ref} value={v ? Number(v) : null} describedBy={describedBy}
				extraQuery={ref === 'contacts' && values.account_id ? { account_id: values.account_id } : undefined}
				onChange={(x) => set(k, x ? String(x) : '')} />;
		if (p.enum)
			return (
				<select id={id} value={v} aria-describedby={describedBy} required={req} onChange={(e) => set(k, e.currentTarget.value)}>
					{(typeOf(p).nullable || mode === 'create') && <option value="">—</option>}
					{p.enum.filter((x) => x !== null).map((x) => <option key={x} value={x}>{humanField(x)}</option>)}
				</select>
			);
		if (type === 'boolean')
			return <input id={id} type="checkbox" class="checkbox" checked={!!v} aria-describedby={describedBy} onChange={(e) => set(k, e.currentTarget.checked)} />;
		if (/several lines/.test(p.description || '') || (p.maxLength || 0) > 500)
			return <textarea id={id} value={v} maxLength={p.maxLength} aria-describedby={describedBy} onInput={(e) => set(k, e.currentTarget.value)} />;
		const inputType = type === 'integer' ? 'number' : p.format === 'email' ? 'email' : p.format === 'date' ? 'date' : 'text';
		return <input id={id} type={inputType} value={v} required={req} maxLength={p.maxLength} min={p.minimum} max={p.maximum}
			aria-describedby={describedBy} onInput={(e) => set(k, e.currentTarget.value)} />;
	}
}
