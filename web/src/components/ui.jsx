// Small shared building blocks.  Screens compose these; none of them takes HTML strings.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { humanField } from '../api.js';

// Load something when deps change: {data, error, loading, reload, setData}.
export function useAsync(fn, deps) {
	const [state, setState] = useState({ data: null, error: null, loading: true });
	const seq = useRef(0);
	const run = useCallback(() => {
		const n = ++seq.current;
		setState((s) => ({ ...s, loading: true, error: null }));
		return Promise.resolve()
			.then(fn)
			.then((data) => n === seq.current && setState({ data, error: null, loading: false }),
				(error) => n === seq.current && setState({ data: null, error, loading: false }));
	}, deps); // eslint-disable-line
	useEffect(() => {
		run();
	}, [run]);
	const setData = (data) => setState((s) => ({ ...s, data: typeof data === 'function' ? data(s.data) : data }));
	return { ...state, reload: run, setData };
}

export function Page({ title, actions, children, wide }) {
	useEffect(() => {
		document.title = title ? title + ' · Funnel' : 'Funnel';
	}, [title]);
	return (
		<section class={'page' + (wide ? ' page-wide' : '')} aria-labelledby="page-title">
			<header class="page-head">
				<h1 id="page-title">{title}</h1>
				{actions && <div class="page-actions">{actions}</div>}
			</header>
			{children}
		</section>
	);
}

export function Loading({ what }) {
	return <p class="loading" role="status">Loading{what ? ' ' + what : ''}…</p>;
}

export function ErrorBox({ error, onRetry }) {
	if (!error)
		return null;
	return (
		<div class="alert alert-error" role="alert">
			<p>{error.message || String(error)}</p>
			{onRetry && <button class="btn btn-small" type="button" onClick={onRetry}>Try again</button>}
		</div>
	);
}

export function Empty({ children }) {
	return <p class="empty">{children}</p>;
}

// A placeholder for a screen not built yet: says so rather than pretending.
export function Placeholder({ title, children }) {
	return (
		<Page title={title}>
			<div class="panel">
				<p>{children || 'This screen is being built.'}</p>
			</div>
		</Page>
	);
}

// A labelled form control with its error.  `error` is the ApiError's fields[name].
export function Field({ label, name, error, hint, children }) {
	const id = 'f-' + name;
	return (
		<div class={'field' + (error ? ' field-invalid' : '')}>
			<label for={id}>{label || humanField(name)}</label>
			{children(id, error ? id + '-err' : hint ? id + '-hint' : undefined)}
			{hint && !error && <p class="hint" id={id + '-hint'}>{hint}</p>}
			{error && <p class="field-error" id={id + '-err'}>{error}</p>}
		</div>
	);
}

// A modal dialog on the native <dialog>: focus is trapped and Escape closes it.
export function Modal({ title, open, onClose, children, footer }) {
	const ref = useRef(null);
	useEffect(() => {
		const d = ref.current;
		if (!d)
			return;
		if (open && !d.open)
			d.showModal();
		else if (!open && d.open)
			d.close();
	}, [open]);
	return (
		<dialog ref={ref} class="modal" aria-labelledby="modal-title" onClose={onClose}
			onCancel={(e) => { e.preventDefault(); onClose(); }}>
			{open && (
				<div class="modal-body">
					<header class="modal-head">
						<h2 id="modal-title">{title}</h2>
						<button type="button" class="btn-icon" aria-label="Close" onClick={onClose}>×</button>
					</header>
					{children}
					{footer && <footer class="modal-foot">{footer}</footer>}
				</div>
			)}
		</dialog>
	);
}

// Short messages at the bottom of the screen ("Moved to Proposal").
let toastSink = null;
export function toast(text, kind = 'ok') {
	if (toastSink)
		toastSink({ text, kind, id: Math.random() });
}

export function Toasts() {
	const [items, setItems] = useState([]);
	useEffect(() => {
		toastSink = (t) => {
			setItems((xs) => [...xs, t]);
			setTimeout(() => setItems((xs) => xs.filter((x) => x !== t)), 4000);
		};
		return () => { toastSink = null; };
	}, []);
	return (
		<div class="toasts" role="status" aria-live="polite">
			{items.map((t) => <p key={t.id} class={'toast toast-' + t.kind}>{t.text}</p>)}
		</div>
	);
}

export function Badge({ kind, children }) {
	return <span class={'badge' + (kind ? ' badge-' + kind : '')}>{children}</span>;
}
