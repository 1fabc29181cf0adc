// Who is signed in, for every screen: useSession() → {user, signOut}.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const SessionContext = createContext({ user: null, signOut: () => {} });

export function useSession() {
	return useContext(SessionContext);
}

export const isManager = (user) => user && (user.role === 'manager' || user.role === 'admin');
export const isAdmin = (user) => user && user.role === 'admin';
