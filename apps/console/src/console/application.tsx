import { useQuery } from '@tanstack/react-query';
import { Route } from 'wouter';
import { APPLICATION_NAV, ApplicationRoutes, Tabs } from '../shared/app/routes';
import { ApplicationProvider, useApi } from '../shared/context';
import { ErrorNotice } from '../shared/ui';
import { AccessPage } from './access';
import { DeadLettersPage } from './dead-letters';

const CONSOLE_NAV = [...APPLICATION_NAV, { href: '/dead-letters', label: 'Dead letters' }, { href: '/access', label: 'Access' }];

/** One application in the console: the portal's pages, plus dead letters and API keys. */
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
      <ApplicationRoutes
        extra={
          <>
            <Route path="/dead-letters" component={DeadLettersPage} />
            <Route path="/access" component={AccessPage} />
          </>
        }
      />
    </ApplicationProvider>
  );
}
