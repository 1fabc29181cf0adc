// Entry point: mounts the app.  Everything on screen is rendered by Preact from
// JSX, which escapes text by construction; nothing here sets innerHTML.
import { render } from 'preact';
import { App } from './app.jsx';

render(<App />, document.getElementById('app'));
