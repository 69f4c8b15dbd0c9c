// The day-record contract between the bridge and the services (docs/day-record.md). Node only.
export * from './day-record.ts';
export * from './ids.ts';
export * from './check.ts';
