/** What the demo generator leaves in its data directory, and its logins (read by `npm run demo`). */

/** The file that marks a data directory as made by the demo generator (only such a directory is ever wiped). */
export const DEMO_MARKER = '.dukao-demo';
/** Written last: the city is complete (what `npm run demo` checks before starting on it). */
export const DEMO_SUMMARY = 'demo-city.json';
/** The password of every demo login. A demo only: never use this data directory for real work. */
export const DEMO_PASSWORD = 'Dukao-Demo-2026!';
export interface DemoLogin {
  role: string;
  username: string;
  password: string;
  what: string;
}

export interface DemoSummary {
  seed: number;
  units: number;
  months: number;
  towns: number;
  departments: number;
  indicators: number;
  targets: { towns: number; departments: number };
  reports: number;
  corrections: number;
  rejections: number;
  lateReports: number;
  supervisionNotices: number;
  escalations: number;
  publicationId: string;
  appealId: string;
  events: number;
  headPosition: number;
  /** SHA-256 over the whole log in position order; see docs/demo.md. */
  logDigest: string;
  logins: DemoLogin[];
}
