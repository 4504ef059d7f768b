import { createContext, type ReactNode, useContext } from 'react';
import type { Api, Endpoint } from './api';

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
/** Whether the pages below may send a message with any payload (the console), or only an event type's example (the portal). */
const OwnMessagesContext = createContext(false);
/** What the console adds to an endpoint's page (what its tokens may read and the portal's may not); nothing in the portal. */
const EndpointPanelsContext = createContext<((endpoint: Endpoint) => ReactNode) | null>(null);
/** Where a message's traces are shown (the console's trace page), or null where they are not (the portal). */
const TracePageContext = createContext<((msgId: string) => string) | null>(null);

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

/** Trace ids become links to the trace page below this provider (the console); elsewhere they are plain text. */
export function TracePageProvider({ href, children }: { href: (msgId: string) => string; children: ReactNode }) {
  return <TracePageContext.Provider value={href}>{children}</TracePageContext.Provider>;
}

export function useTracePage(): ((msgId: string) => string) | null {
  return useContext(TracePageContext);
}

/**
 * The pages below send test events with a payload of their own (the console's tokens may). An
 * app-portal token may not: a signed message is the provider's word to its customer, so the portal
 * sends an event type's example, to one endpoint.
 */
export function OwnMessagesProvider({ children }: { children: ReactNode }) {
  return <OwnMessagesContext.Provider value={true}>{children}</OwnMessagesContext.Provider>;
}

export function useSendsOwnMessages(): boolean {
  return useContext(OwnMessagesContext);
}

/** Panels of an endpoint's page for the pages below this provider (the console), after its state. */
export function EndpointPanelsProvider({ panels, children }: { panels: (endpoint: Endpoint) => ReactNode; children: ReactNode }) {
  return <EndpointPanelsContext.Provider value={panels}>{children}</EndpointPanelsContext.Provider>;
}

export function useEndpointPanels(): ((endpoint: Endpoint) => ReactNode) | null {
  return useContext(EndpointPanelsContext);
}
