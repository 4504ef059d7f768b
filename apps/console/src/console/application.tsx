import { useQuery } from '@tanstack/react-query';
import { Route } from 'wouter';
import { APPLICATION_NAV, ApplicationRoutes, Tabs } from '../shared/app/routes';
import { ApplicationProvider, type ConsoleExtras, ConsoleExtrasProvider, useApi } from '../shared/context';
import { ErrorNotice } from '../shared/ui';
import { AccessPage } from './access';
import { DeadLettersPage } from './dead-letters';
import { ExpungeContent } from './expunge';
import { TracePage } from './trace';

const CONSOLE_NAV = [...APPLICATION_NAV, { href: '/dead-letters', label: 'Dead letters' }, { href: '/access', label: 'Access' }];

/** What the console adds to the pages it shares with the portal, which the portal's token may not do. */
const consoleExtras: ConsoleExtras = {
  tracePage: (msgId) => `/messages/${encodeURIComponent(msgId)}/trace`,
  sendsOwnMessages: true,
  messagePanels: (message) => <ExpungeContent message={message} />,
};

/** One application in the console: the portal's pages, plus dead letters, API keys, traces and expunging. */
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
      <ConsoleExtrasProvider extras={consoleExtras}>
        <ApplicationRoutes
          extra={
            <>
              <Route path="/messages/:msgId/trace">{(params) => <TracePage key={params.msgId} msgId={params.msgId} />}</Route>
              <Route path="/dead-letters" component={DeadLettersPage} />
              <Route path="/access" component={AccessPage} />
            </>
          }
        />
      </ConsoleExtrasProvider>
    </ApplicationProvider>
  );
}
