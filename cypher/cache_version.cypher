// The version of what servers cache from the graph (catalogues, similarity indexes): every
// API worker reads it at most twice a second and drops its cached values when it moved
OPTIONAL MATCH (v:CacheVersion {name: $name})
RETURN v.version AS version
