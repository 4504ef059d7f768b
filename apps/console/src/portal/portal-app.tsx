import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Router } from 'wouter';
import { createApi } from '../shared/api';
import { APPLICATION_NAV, ApplicationRoutes, Tabs } from '../shared/app/routes';
import { ApiProvider, ApplicationProvider, useApi, useAppId } from '../shared/context';
import { createQueryClient } from '../shared/query';
import { Alert, ErrorNotice, PageTitle } from '../shared/ui';
import type { PortalAccess } from './access';
import { type Brand, effectiveBrand } from './brand';

/**
 * The app portal: one application's endpoints and messages, for the operator's customer, with the
 * token of the link that opened it. Nothing else is reachable from here, by design and by the
 * token's scope.
 */
export function PortalApp({ access, brand }: { access: PortalAccess | null; brand: Brand }) {
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const [session] = useState(() => access && { api: createApi(access.token), queryClient: createQueryClient((failure) => setEndedBecause(failure.message)) });
  useBrandColor(brand.color);
  if (!access || !session) {
    return (
      <main id="main" className="narrow">
        <PageTitle title="Webhooks">Webhooks</PageTitle>
        <p>This page opens from a link that your provider gives you, and the link works once: open it again from your provider&apos;s site.</p>
      </main>
    );
  }
  if (endedBecause) {
    return (
      <main id="main" className="narrow">
        <PageTitle title="Access ended">Your access has ended</PageTitle>
        <Alert>The server refused this link&apos;s token ({endedBecause}). Open the portal again from your provider&apos;s site.</Alert>
      </main>
    );
  }
  return (
    <Router base="/portal">
      <QueryClientProvider client={session.queryClient}>
        <ApiProvider api={session.api}>
          <ApplicationProvider appId={access.appId}>
            <a href="#main" className="skip-link">
              Skip to content
            </a>
            <header className="topbar">
              <ApplicationHeader fromQuery={brand} />
            </header>
            <main id="main">
              <Tabs items={APPLICATION_NAV} label="Portal" />
              <ApplicationRoutes />
            </main>
          </ApplicationProvider>
        </ApiProvider>
      </QueryClientProvider>
    </Router>
  );
}

/** The brand colour through the CSSOM, as one property's value (never style text); none keeps the default. */
function useBrandColor(color: string | null) {
  useEffect(() => {
    if (color) document.documentElement.style.setProperty('--brand', color);
  }, [color]);
}

/** The logo (an https <img> source) and the application's name, branded by the query or else the application's metadata. */
function ApplicationHeader({ fromQuery }: { fromQuery: Brand }) {
  const api = useApi();
  const appId = useAppId();
  const application = useQuery({ queryKey: ['app', appId], queryFn: () => api.applications.get(appId) });
  const brand = effectiveBrand(fromQuery, application.data?.metadata, (property, value) => CSS.supports(property, value));
  useBrandColor(brand.color);
  return (
    <>
      {brand.logo ? <img src={brand.logo} alt="" className="logo" referrerPolicy="no-referrer" /> : null}
      <div className="brand">
        <span>Webhooks{application.data ? ` · ${application.data.name}` : ''}</span>
        <ErrorNotice error={application.error} title="This application could not be loaded" />
      </div>
    </>
  );
}
