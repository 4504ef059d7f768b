import { createContext, type ReactNode, useContext } from 'react';
import type { Api } from './api';

const ApiContext = createContext<Api | null>(null);
const ApplicationContext = createContext<string | null>(null);

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
