import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { SynonymBody, SynonymOut, SynonymParams } from './schemas.ts'
import { listSynonyms, removeSynonym, saveSynonym } from './service.ts'

const tags = ['catalog']

/** The search synonym list (简称 → 全称) that catalog search expands terms with. */
export const synonymRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/catalog/search-synonyms',
    {
      config: { action: 'catalog.synonym.list' },
      schema: { tags, summary: '检索同义词（简称与全称）', response: { 200: z.object({ items: z.array(SynonymOut) }) } },
    },
    (req) => listSynonyms(req.ctx),
  )

  app.put(
    '/catalog/search-synonyms/:term',
    {
      config: { action: 'catalog.synonym.update' },
      schema: { tags, summary: '新增或修改一个简称的全称', params: SynonymParams, body: SynonymBody, response: { 200: SynonymOut } },
    },
    (req) => saveSynonym(req.ctx, req.params.term, req.body),
  )

  app.delete(
    '/catalog/search-synonyms/:term',
    {
      config: { action: 'catalog.synonym.remove' },
      schema: { tags, summary: '删除一个简称', params: SynonymParams, response: { 200: SynonymOut } },
    },
    (req) => removeSynonym(req.ctx, req.params.term),
  )
}
