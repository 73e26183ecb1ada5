// The web console: its front-end bundle at `/` and the JSON endpoints under /console/api that
// the v3 API does not have (overview, topic sizes, message browser, group detail and offset
// resets, transactions, delayed and scheduled topics). Everything else the console does goes
// through the v2 and v3 routes.
import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'
import { consoleBundleDir, loadBundle, registerBundle } from './bundle.js'
import { registerDelivery } from './delivery.js'
import { registerGroups } from './groups.js'
import { registerMessages } from './messages.js'
import { registerTopicReads } from './topics.js'
import { registerTransactions } from './transactions.js'

let bundle: ReturnType<typeof loadBundle> | null = null

export function registerConsole (app: FastifyInstance, ctx: HttpContext): void {
  // Read once per process: every listener's app serves the same files.
  bundle ??= loadBundle(consoleBundleDir(ctx.logger), ctx.logger)
  registerBundle(app, bundle)
  registerTopicReads(app, ctx)
  registerMessages(app, ctx)
  registerGroups(app, ctx)
  registerTransactions(app, ctx)
  registerDelivery(app)
}
