import { useQuery } from '@tanstack/react-query';
import { Route } from 'wouter';
import { APPLICATION_NAV, ApplicationRoutes, Tabs } from '../shared/app/routes';
import { ApplicationProvider, OwnMessagesProvider, type PagePanels, PagePanelsProvider, TracePageProvider, useApi } from '../shared/context';
import { ErrorNotice } from '../shared/ui';
import { AccessPage } from './access';
import { DeadLettersPage } from './dead-letters';
import { ExpungeContent } from './expunge';
import { HeldKeys } from './held-keys';
import { TracePage } from './trace';

const CONSOLE_NAV = [...APPLICATION_NAV, { href: '/dead-letters', label: 'Dead letters' }, { href: '/access', label: 'Access' }];

/** Where the console shows a message's traces (the portal does not: its token may not read them). */
const tracePage = (msgId: string) => `/messages/${encodeURIComponent(msgId)}/trace`;

/** What the console shows on the pages of an endpoint and of a message beyond the portal's. */
const pagePanels: PagePanels = {
  endpoint: (endpoint) => <HeldKeys endpoint={endpoint} />,
  message: (message) => <ExpungeContent message={message} />,
};

/** One application in the console: the portal's pages, plus dead letters, API keys, traces, held ordering keys and expunging. */
export function ApplicationScope({ appId }: { appId: string }) {
  const api = useApi();
  const application = useQuery({ queryKey: ['app', appId], queryFn: () => api.applications.get(appId) });
  return (
    <ApplicationProvider appId={appId}>
      <div className="app-header">
        <p className="app-name">
          Application <strong>{application.data?.name ?? '…'}</strong> <code>{application.data?.uid ?? appId}</code>
        </p>
        <Tabs items={CONSOLE_NAV} label="Application" />
      </div>
      <ErrorNotice error={application.error} title="The application could not be loaded" />
      <TracePageProvider href={tracePage}>
        <OwnMessagesProvider>
          <PagePanelsProvider panels={pagePanels}>
            <ApplicationRoutes
            extra={
              <>
                <Route path="/messages/:msgId/trace">{(params) => <TracePage key={params.msgId} msgId={params.msgId} />}</Route>
                <Route path="/dead-letters" component={DeadLettersPage} />
                <Route path="/access" component={AccessPage} />
              </>
            }
            />
          </PagePanelsProvider>
        </OwnMessagesProvider>
      </TracePageProvider>
    </ApplicationProvider>
  );
}
