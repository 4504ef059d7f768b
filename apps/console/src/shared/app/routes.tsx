import type { ReactNode } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { Empty, PageTitle } from '../ui';
import { EndpointPage } from './endpoint';
import { EndpointCreatePage, EndpointsPage } from './endpoints';
import { MessagePage, MessagesPage } from './messages';

export interface NavItem {
  href: string;
  label: string;
}

/** The pages of one application, relative to where they are mounted (the portal's root, or /app/:appId in the console). */
export const APPLICATION_NAV: NavItem[] = [
  { href: '/', label: 'Endpoints' },
  { href: '/messages', label: 'Messages' },
];

/** Tabs with the current one marked for assistive technology. */
export function Tabs({ items, label }: { items: NavItem[]; label: string }) {
  const [location] = useLocation();
  const current = (href: string) => (href === '/' ? location === '/' || location.startsWith('/endpoints') : location.startsWith(href));
  return (
    <nav aria-label={label} className="tabs">
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Not found">Not found</PageTitle>
      <Empty>
        Nothing is here. <Link href="/">Go back to the start.</Link>
      </Empty>
    </section>
  );
}

/** The application's routes; the console adds its own (dead letters, access) in `extra`. */
export function ApplicationRoutes({ extra }: { extra?: ReactNode }) {
  return (
    <Switch>
      <Route path="/" component={EndpointsPage} />
      <Route path="/endpoints/new" component={EndpointCreatePage} />
      <Route path="/endpoints/:endpointId">{(params) => <EndpointPage key={params.endpointId} endpointId={params.endpointId} />}</Route>
      <Route path="/messages" component={MessagesPage} />
      <Route path="/messages/:msgId">{(params) => <MessagePage key={params.msgId} msgId={params.msgId} />}</Route>
      {extra}
      <Route component={NotFoundPage} />
    </Switch>
  );
}
