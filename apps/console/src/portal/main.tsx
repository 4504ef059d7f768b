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

// The brand colour goes through the CSSOM as one property's value (never style text), the logo
// into an <img> source (https only).
const brand = readBrand(window.location.search, (property, value) => CSS.supports(property, value));
if (brand.color) document.documentElement.style.setProperty('--brand', brand.color);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PortalApp access={access} logo={brand.logo} />
  </StrictMode>,
);
