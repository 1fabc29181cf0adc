// Entry point: mounts the app.  Everything on screen is rendered by Preact from
// JSX, which escapes text by construction; nothing here sets innerHTML.
// /m/{token} is a meeting invitee's lobby (pages/Lobby.jsx): public, no login.
import { render } from 'preact';
import { App } from './app.jsx';
import { Lobby } from './pages/Lobby.jsx';

const link = /^\/m\/([^/]+)$/.exec(location.pathname);
const root = document.getElementById('app');
if (link)
	root.textContent = ''; // index.html's boot line is the app's, not the lobby's
render(link ? <Lobby token={decodeURIComponent(link[1])} /> : <App />, root);
