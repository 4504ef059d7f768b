import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../shared/styles.css';
import { readAccess } from './access';
import { readBrand } from './brand';
import { PortalApp } from './portal-app';

// The token moves from the fragment into memory, and the fragment leaves the address bar and the
// history entry before anything renders: a copied address or a reload does not carry it.
const access = readAccess(window.location.hash);
if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);

// The brand of the query string; the application's metadata fills in what it leaves out once the
// application is read (PortalApp).
const brand = readBrand(window.location.search, (property, value) => CSS.supports(property, value));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PortalApp access={access} brand={brand} />
  </StrictMode>,
);
