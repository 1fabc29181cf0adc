// Sign in.  The server sets the HttpOnly session cookie; the CSRF token it answers
// stays in memory (api.js).
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api.js';

export function Login({ onSignedIn }) {
	const [email, setEmail] = useState('');
	const [password, setPassword] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const emailRef = useRef(null);

	useEffect(() => {
		document.title = 'Sign in · Funnel';
		performance.mark('login-ready');
		emailRef.current && emailRef.current.focus();
	}, []);

	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			const { data } = await request('POST', '/auth/login', { body: { email, password }, noAuthRedirect: true });
			onSignedIn(data);
		} catch (err) {
			if (err.status === 401)
				setError('Wrong e-mail or password.');
			else if (err.status === 429)
				setError('Too many failed attempts. Try again in ' + (err.retryAfter || 'a few') + ' seconds.');
			else
				setError(err.message);
			setBusy(false);
		}
	};

	return (
		<main class="login" id="main">
			<form class="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
				<h1 id="login-title"><span class="brand">Funnel</span> Sign in</h1>
				{error && <p class="alert alert-error" role="alert">{error}</p>}
				<div class="field">
					<label for="login-email">E-mail</label>
					<input id="login-email" ref={emailRef} type="email" name="email" autocomplete="username" required
						value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
				</div>
				<div class="field">
					<label for="login-password">Password</label>
					<input id="login-password" type="password" name="password" autocomplete="current-password" required
						value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
				</div>
				<button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
			</form>
		</main>
	);
}
