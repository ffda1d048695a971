// After an import, a refit or an edit: move the version, so every API worker drops its
// cached values within its next check (cypher/cache_version.cypher)
MERGE (v:CacheVersion {name: $name})
SET v.version = coalesce(v.version, 0) + 1
RETURN v.version AS version
