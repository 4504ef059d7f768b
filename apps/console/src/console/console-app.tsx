import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Router, Switch } from 'wouter';
import { type Api, createApi } from '../shared/api';
import { NotFoundPage } from '../shared/app/routes';
import { ApiProvider } from '../shared/context';
import { createQueryClient } from '../shared/query';
import { ApplicationScope } from './application';
import { ApplicationsPage } from './applications';
import { EventTypesPage } from './event-types';
import { OperationalWebhooksPage } from './operational-webhooks';
import { OverviewPage } from './overview';
import { SignInPage } from './sign-in';

/** The token lives in this tab's session storage (never in a URL): a reload keeps it, closing the tab forgets it. */
const TOKEN_KEY = 'hookline.console.token';

interface Session {
  api: Api;
  queryClient: QueryClient;
}

export function ConsoleApp() {
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const [session, setSession] = useState<Session | null>(() => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? open(token) : null;
  });

  function open(token: string): Session {
    const queryClient = createQueryClient((failure) => close(`The API refused the token: ${failure.message}. Sign in again.`));
    return { api: createApi(token), queryClient };
  }

  function close(reason: string | null) {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession((current) => {
      current?.queryClient.clear();
      return null;
    });
    setEndedBecause(reason);
  }

  const signIn = (token: string) => {
    sessionStorage.setItem(TOKEN_KEY, token);
    setEndedBecause(null);
    setSession(open(token));
  };

  return (
    <Router base="/console">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Hookline console
        </Link>
        {session ? (
          <>
            <nav aria-label="Console">
              <ul>
                <li>
                  <Link href="/">Applications</Link>
                </li>
                <li>
                  <Link href="/event-types">Event types</Link>
                </li>
                <li>
                  <Link href="/overview">Overview</Link>
                </li>
                <li>
                  <Link href="/operational-webhooks">Operational webhooks</Link>
                </li>
              </ul>
            </nav>
            <button type="button" className="secondary" onClick={() => close(null)}>
              Sign out
            </button>
          </>
        ) : null}
      </header>
      <main id="main">
        {session ? (
          <QueryClientProvider client={session.queryClient}>
            <ApiProvider api={session.api}>
              <Switch>
                <Route path="/" component={ApplicationsPage} />
                <Route path="/event-types" component={EventTypesPage} />
                <Route path="/overview" component={OverviewPage} />
                <Route path="/operational-webhooks" component={OperationalWebhooksPage} />
                <Route path="/app/:appId" nest>
                  {(params) => <ApplicationScope key={params.appId} appId={params.appId} />}
                </Route>
                <Route component={NotFoundPage} />
              </Switch>
            </ApiProvider>
          </QueryClientProvider>
        ) : (
          <SignInPage onSignIn={signIn} endedBecause={endedBecause} />
        )}
      </main>
    </Router>
  );
}
