import { InitialSchema1795333898853 } from './1795333898853-initial-schema.js';

/** Every migration, oldest first. The schema changes only through these. */
export const MIGRATIONS = [InitialSchema1795333898853];
