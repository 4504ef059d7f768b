import { createContext, type ReactNode, useContext } from 'react';
import type { Api, Endpoint, Message } from './api';

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
/**
 * What the console adds to the pages of an endpoint and of a message: what its tokens may do and
 * the portal's may not. Nothing in the portal.
 */
export interface PagePanels {
  endpoint?: (endpoint: Endpoint) => ReactNode;
  message?: (message: Message) => ReactNode;
}
const PagePanelsContext = createContext<PagePanels>({});
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

/** Panels of the endpoint and message pages below this provider (the console), after what those pages show themselves. */
export function PagePanelsProvider({ panels, children }: { panels: PagePanels; children: ReactNode }) {
  return <PagePanelsContext.Provider value={panels}>{children}</PagePanelsContext.Provider>;
}

export function usePagePanels(): PagePanels {
  return useContext(PagePanelsContext);
}
