/**
 * The gateway benchmark's load generator, in its own process (so it does not share an event loop with the
 * benchmark's bookkeeping): autocannon with the given connections and duration, each request the next of
 * the given paths in rotation. Receives its job over IPC and answers with autocannon's result.
 */
import autocannon from 'autocannon'

process.once('message', async (job: { url: string; connections: number; duration: number; headers: Record<string, string>; paths: string[] }) => {
  let next = 0
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    requests: [{ method: 'GET', headers: job.headers, setupRequest: (req) => ({ ...req, path: job.paths[next++ % job.paths.length] }) }],
  })
  process.send?.(result, () => process.exit(0))
})
