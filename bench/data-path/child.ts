import type { FastifyInstance } from 'fastify'

/** A benchmark's server child: listens on a free port, tells the parent which, and closes when told to stop. */
export async function serveUntilStopped(app: FastifyInstance, close: () => Promise<unknown>) {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
  process.on('message', async (message) => {
    if (message === 'stop') {
      await app.close()
      await close()
      process.exit(0)
    }
  })
}
