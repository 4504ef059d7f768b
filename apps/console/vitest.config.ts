import { defineConfig } from 'vitest/config';

// Unit tests of the front-end's own logic (parsing, formatting, validation): plain functions, so
// Node is enough. The pages themselves are tested in a real browser (test/browser). A zone with
// a half-hour offset, so a test cannot pass by treating local time as UTC.
process.env.TZ = 'Asia/Kolkata';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
