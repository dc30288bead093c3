/** Chinese labels of the exchange system's states (SPEC §6.3, §7.7), shared by the console and the server's notices. */

export const NODE_STATUS_LABELS = {
  pending: '待注册',
  online: '在线',
  degraded: '降级',
  offline: '离线',
  revoked: '已注销',
} as const

export const JOB_KIND_LABELS = { feed: '挂接（提供方）', delivery: '交付（使用方）' } as const

export const JOB_STATUS_LABELS = {
  draft: '校验未通过',
  verifying: '校验中',
  active: '运行中',
  paused: '已暂停',
  stopped: '已停止',
  purging: '清除中',
  purged: '已清除',
} as const

export const RUN_KIND_LABELS = { verify: '校验', full: '全量', incremental: '增量', purge: '清除' } as const

export const RUN_STATUS_LABELS = { running: '进行中', succeeded: '成功', failed: '失败' } as const

export const WRITE_MODE_LABELS = { insert: '插入（insert）', upsert: '按主键覆盖（upsert）' } as const
