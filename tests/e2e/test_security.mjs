// The UI's security basics: the CSP header, no HTML strings, no tokens in web storage.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, assert, test } from './lib.mjs';

function files(dir) {
	return readdirSync(dir).flatMap((f) => {
		const p = join(dir, f);
		return statSync(p).isDirectory() ? files(p) : [p];
	});
}

test('web/src (comments aside) builds no HTML from strings and keeps nothing in web storage', async () => {
	const bad = /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|localStorage|sessionStorage|\beval\(|new Function/;
	for (const f of files(join(ROOT, 'web', 'src'))) {
		const lines = readFileSync(f, 'utf8').split('\n');
		lines.forEach((l, i) => assert(/^\s*(\/\/|\*|\/\*)/.test(l) || !bad.test(l), f + ':' + (i + 1) + ': ' + l.trim()));
	}
});

test('pages come with a strict Content-Security-Policy', async ({ base }) => {
	for (const path of ['/', '/board', '/opportunities/1']) {
		const r = await fetch(base + path);
		const csp = r.headers.get('Content-Security-Policy') || '';
		assert(/script-src 'self'/.test(csp) && /style-src 'self'/.test(csp) && !/unsafe/.test(csp), path + ': ' + csp);
		const html = await r.text();
		assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), path + ': an inline script');
		assert(!/\sstyle=/.test(html), path + ': a style attribute');
	}
});
