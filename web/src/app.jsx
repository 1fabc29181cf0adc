// The app shell: who is signed in, the navigation, and the screen for the URL.
import { useEffect, useState } from 'preact/hooks';
import { forgetNames, post, prefetch, request, setCsrf, setUnauthorizedHandler } from './api.js';
import { Link, match, navigate, useLocation } from './router.jsx';
import { home, routes } from './routes.js';
import { SessionContext } from './session.js';
import { Login } from './pages/Login.jsx';
import { NotFound } from './pages/NotFound.jsx';
import { Toasts } from './components/ui.jsx';

export function App() {
	const [user, setUser] = useState(undefined); // undefined: asking the server
	const loc = useLocation();

	useEffect(() => {
		setUnauthorizedHandler(() => {
			setCsrf(null);
			setUser(null);
		});
		// the board is the first screen: its pipelines load beside /me, not after it
		if (location.pathname === '/board' || location.pathname === '/')
			prefetch('/pipelines');
		// after a reload the cookie may still be good: the server hands the CSRF token again
		request('GET', '/me', { noAuthRedirect: true }).then(
			({ data }) => {
				setCsrf(data.csrf_token);
				setUser(data);
			},
			() => setUser(null));
	}, []);

	const signedIn = (data) => {
		setCsrf(data.csrf_token);
		forgetNames();
		setUser(data.user);
		const next = new URLSearchParams(location.search).get('next');
		navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : home, { replace: true });
	};
	const signOut = async () => {
		try {
			await post('/auth/logout');
		} catch (e) {
			/* signed out either way */
		}
		setCsrf(null);
		forgetNames();
		setUser(null);
		navigate('/login', { replace: true });
	};

	if (user === undefined)
		return <p class="boot" role="status">Loading Funnel…</p>;
	const path = loc.split('?')[0];
	if (!user) {
		if (path !== '/login') {
			const next = path === '/' ? '' : '?next=' + encodeURIComponent(loc);
			history.replaceState(null, '', '/login' + next);
		}
		return <Login onSignedIn={signedIn} />;
	}
	if (path === '/' || path === '/login') {
		history.replaceState(null, '', home);
		return <Shell user={user} signOut={signOut} path={home} />;
	}
	return <Shell user={user} signOut={signOut} path={path} />;
}

function Shell({ user, signOut, path }) {
	let Page = NotFound, params = {};
	for (const r of routes) {
		const m = match(r.path, path);
		if (m) {
			Page = r.page;
			params = m;
			break;
		}
	}
	const nav = routes.filter((r) => r.nav && (!r.roles || r.roles.includes(user.role)));
	return (
		<SessionContext.Provider value={{ user, signOut }}>
			<a class="skip" href="#main">Skip to content</a>
			<header class="topbar">
				<Link class="brand" href={home}>Funnel</Link>
				<nav class="nav" aria-label="Main">
					<ul>
						{nav.map((r) => {
							const here = path === r.path || path.startsWith(r.path + '/');
							return (
								<li key={r.path}>
									<Link href={r.path} aria-current={here ? 'page' : undefined}>{r.nav}</Link>
								</li>
							);
						})}
					</ul>
				</nav>
				<div class="who">
					<span class="who-name" title={user.email}>{user.name}</span>
					<span class="who-role">{user.role}</span>
					<Link class="btn btn-small btn-ghost" href="/settings" aria-current={path === '/settings' ? 'page' : undefined}>Settings</Link>
					<button type="button" class="btn btn-small btn-ghost" onClick={signOut}>Sign out</button>
				</div>
			</header>
			<main id="main" tabindex="-1">
				<Page {...params} key={path} />
			</main>
			<Toasts />
		</SessionContext.Provider>
	);
}
