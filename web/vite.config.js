// Vite builds web/src into web/dist, which `funnel serve` serves (src/http/static.c)
// under a strict CSP: script-src 'self'; style-src 'self' — so no inline scripts,
// no style attributes in HTML.  JSX is compiled by esbuild for Preact; no plugin.
export default {
	esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		target: 'es2020',
		// the polyfill would be one more module; every browser we support has modulepreload
		modulePreload: { polyfill: false },
		reportCompressedSize: false,
	},
	// `npx vite` for development: the API of a `funnel serve` on :8080
	server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
};
