// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only), transformed
// by SWC with the same .swcrc as the build. scripts/test.sh adds --experimental-vm-modules.
import { readFileSync } from 'node:fs';

const swcrc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: {
    // Workspace libraries are tested from source, so no build is needed before a test run.
    '^@hookline/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // ESM sources import siblings as ./x.js; the file on disk is ./x.ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts', '<rootDir>/{apps,libs}/*/test/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 60_000,
  // Tests share one broker and one database: two workers match the machine's two cores.
  maxWorkers: 2,
};
