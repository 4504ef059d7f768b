import { createContext, type ReactNode, useContext } from 'react';
import type { Api, Message } from './api';

/** A value the pages below its provider cannot do without: read outside one, it throws (a page placed wrong, not a state to show). */
function requiredContext<T>(hook: string, provider: string) {
  const context = createContext<T | null>(null);
  function useRequired(): T {
    const value = useContext(context);
    if (!value) throw new Error(`${hook} outside an ${provider}`);
    return value;
  }
  return { Provider: context.Provider, use: useRequired };
}

const ApiContext = requiredContext<Api>('useApi', 'ApiProvider');
const ApplicationContext = requiredContext<string>('useAppId', 'ApplicationProvider');
/**
 * What the console adds to the application pages it shares with the portal: what the console's
 * tokens may do and an app-portal token may not. The portal sets none of it.
 */
export interface ConsoleExtras {
  /** Where a message's traces are shown: trace ids become links there (elsewhere, plain text). */
  tracePage?: (msgId: string) => string;
  /**
   * Test events with a payload typed in, to every endpoint subscribed. Without it, an event type's
   * example to one endpoint: a signed message is the provider's word to its customer.
   */
  sendsOwnMessages?: boolean;
  /** Panels of a message's page, after its payload. */
  messagePanels?: (message: Message) => ReactNode;
}
const ConsoleExtrasContext = createContext<ConsoleExtras>({});

/** The signed-in API client, for every page below. */
export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export const useApi: () => Api = ApiContext.use;

/** The application the pages below show: the console's chosen one, or the portal's only one. */
export function ApplicationProvider({ appId, children }: { appId: string; children: ReactNode }) {
  return <ApplicationContext.Provider value={appId}>{children}</ApplicationContext.Provider>;
}

export const useAppId: () => string = ApplicationContext.use;

/** The console's extras for the application pages below. */
export function ConsoleExtrasProvider({ extras, children }: { extras: ConsoleExtras; children: ReactNode }) {
  return <ConsoleExtrasContext.Provider value={extras}>{children}</ConsoleExtrasContext.Provider>;
}

export function useConsoleExtras(): ConsoleExtras {
  return useContext(ConsoleExtrasContext);
}
