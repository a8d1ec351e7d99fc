/**
 * `@webembed/pgvector`: Serve webembed collections from Postgres with pgvector: bulk load, two-stage binary search in SQL, and a small HTTP search service.
 *
 * @module
 */
export {};
