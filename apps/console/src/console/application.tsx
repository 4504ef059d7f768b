import { useQuery } from '@tanstack/react-query';
import { Route } from 'wouter';
import { APPLICATION_NAV, ApplicationRoutes, Tabs } from '../shared/app/routes';
import { ApplicationProvider, OwnMessagesProvider, TracePageProvider, useApi } from '../shared/context';
import { ErrorNotice } from '../shared/ui';
import { AccessPage } from './access';
import { DeadLettersPage } from './dead-letters';
import { TracePage } from './trace';

const CONSOLE_NAV = [...APPLICATION_NAV, { href: '/dead-letters', label: 'Dead letters' }, { href: '/access', label: 'Access' }];

/** Where the console shows a message's traces (the portal does not: its token may not read them). */
const tracePage = (msgId: string) => `/messages/${encodeURIComponent(msgId)}/trace`;

/** One application in the console: the portal's pages, plus dead letters, API keys and traces. */
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
          <ApplicationRoutes
            extra={
              <>
                <Route path="/messages/:msgId/trace">{(params) => <TracePage key={params.msgId} msgId={params.msgId} />}</Route>
                <Route path="/dead-letters" component={DeadLettersPage} />
                <Route path="/access" component={AccessPage} />
              </>
            }
          />
        </OwnMessagesProvider>
      </TracePageProvider>
    </ApplicationProvider>
  );
}
