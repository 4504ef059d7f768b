import { createContext, type ReactNode, useContext } from 'react';
import type { Api } from './api';

const ApiContext = createContext<Api | null>(null);
const ApplicationContext = createContext<string | null>(null);
/** Where a message's traces are shown (the console's trace page), or null where they are not (the portal). */
const TracePageContext = createContext<((msgId: string) => string) | null>(null);

/** The signed-in API client, for every page below. */
export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside an ApiProvider');
  return api;
}

/** The application the pages below show: the console's chosen one, or the portal's only one. */
export function ApplicationProvider({ appId, children }: { appId: string; children: ReactNode }) {
  return <ApplicationContext.Provider value={appId}>{children}</ApplicationContext.Provider>;
}

export function useAppId(): string {
  const appId = useContext(ApplicationContext);
  if (!appId) throw new Error('useAppId outside an ApplicationProvider');
  return appId;
}

/** Trace ids become links to the trace page below this provider (the console); elsewhere they are plain text. */
export function TracePageProvider({ href, children }: { href: (msgId: string) => string; children: ReactNode }) {
  return <TracePageContext.Provider value={href}>{children}</TracePageContext.Provider>;
}

export function useTracePage(): ((msgId: string) => string) | null {
  return useContext(TracePageContext);
}
