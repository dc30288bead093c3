/** 考核 (SPEC §9, §7.11): frozen runs of M1–M12, drill-down evidence, rectification notices, annual reports. */
export { evaluationRoutes as evaluationModule } from './routes.ts'
export { evaluationTasks } from './jobs.ts'
