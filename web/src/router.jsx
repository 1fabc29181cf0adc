// A tiny history router.  Routes are patterns like '/opportunities/:id'; links are
// ordinary <a href="/board"> elements (see Link) so they open in a new tab too.
// funnel serve answers index.html for any path without a file extension.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

export function navigate(to, { replace = false } = {}) {
	if (to === location.pathname + location.search)
		return;
	history[replace ? 'replaceState' : 'pushState'](null, '', to);
	for (const fn of listeners)
		fn();
	window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
	for (const fn of listeners)
		fn();
});

export function useLocation() {
	const [loc, setLoc] = useState(location.pathname + location.search);
	useEffect(() => {
		const fn = () => setLoc(location.pathname + location.search);
		listeners.add(fn);
		return () => listeners.delete(fn);
	}, []);
	return loc;
}

// match('/opportunities/:id', '/opportunities/12') → {id: '12'}; null when it does not match
export function match(pattern, path) {
	const p = pattern.split('/').filter(Boolean);
	const u = path.split('?')[0].split('/').filter(Boolean);
	if (p.length !== u.length)
		return null;
	const params = {};
	for (let i = 0; i < p.length; i++) {
		if (p[i].startsWith(':'))
			params[p[i].slice(1)] = decodeURIComponent(u[i]);
		else if (p[i] !== u[i])
			return null;
	}
	return params;
}

export function searchParams() {
	return new URLSearchParams(location.search);
}

// Same as <a href>, but a plain left click navigates without reloading the page.
export function Link({ href, children, ...rest }) {
	const onClick = (e) => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
			return;
		e.preventDefault();
		navigate(href);
	};
	return <a href={href} onClick={onClick} {...rest}>{children}</a>;
}
