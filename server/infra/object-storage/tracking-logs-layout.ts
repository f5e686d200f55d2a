// Where an instance's bucket keeps the LMS tracking logs: the bucket's lifecycle rule expires this prefix, and the
// VM ships its rotated logs under it. Both drivers read it from here; the domain re-exports it.
export const OPENEDX_TRACKING_LOGS = { prefix: "logs/tracking/", expireAfterDays: 90 } as const;
