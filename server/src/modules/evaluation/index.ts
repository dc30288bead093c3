/** 考核 (SPEC §9, §7.11): frozen runs of M1–M12, drill-down evidence, rectification notices, annual reports. */
export { evaluationRoutes as evaluationModule } from './routes.ts'
export { evaluationTasks } from './jobs.ts'
/** Commands for the demo loader, which runs evaluations and answers notices as users would. */
export { issueNotices, respondNotice } from './notices.ts'
export { createRun } from './runs.ts'
