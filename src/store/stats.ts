// Aggregates for the dashboard's charts (issue: dashboard).
export const statsOps = {};
