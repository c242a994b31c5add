// Inbound sources and received requests (issue: inbound sources).
export const sourceOps = {};
