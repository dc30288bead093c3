-- Catalog search past SEARCH_RESULT_CAP matches (server/src/modules/catalog/queries.ts, searchResources).

-- Lower-cased character bigrams of a text. An entry's name contains a term only if its bigrams hold
-- every bigram of the term, so a GIN index over the names' bigrams finds the name matches of a common
-- term without reading each match (a substring re-check then keeps exact semantics). The bigrams are
-- stored: computing them takes a few hundred microseconds, too slow to repeat on every row a scan reads.
create function catalog_bigrams(t text) returns text[]
  language sql immutable strict parallel safe
  return (select coalesce(array_agg(distinct substr(lower(t), i, 2)), '{}') from generate_series(1, char_length(t) - 1) as i);

alter table resource_versions add column name_bigrams text[] generated always as (catalog_bigrams(name)) stored;
create index resource_versions_name_bigrams_idx on resource_versions using gin (name_bigrams);

-- The order of search results: most recently published or changed first.
create index resource_versions_recency_idx on resource_versions ((coalesce(published_at, changed_at)) desc, id);
