/** Plain lookups for other modules (no access check: callers check with the guard). */
export { getDepartment, getPost, getTeam } from './repo.js';
export { orgRoutes } from './routes.js';
export { createOrgService, type OnDutyAt, type OrgService } from './service.js';
/** Which shift is on at an instant in the plant's time zone (pure). */
export { addDays, currentShifts, shiftSpan, wallClock } from './shift-time.js';
