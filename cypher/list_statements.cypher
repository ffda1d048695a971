// Stored statements after a point in stored time, oldest first, for one tenant unless $tenant
// is null; ($stored, $after_id) is the cursor: ties on stored time page on by id
MATCH (x:XapiStatement)
WHERE ($tenant IS NULL OR x.tenant = $tenant)
  AND (x.stored > $stored OR ($after_id IS NOT NULL AND x.stored = $stored
                              AND x.id > $after_id))
RETURN x.id AS id, x.raw AS raw, x.stored AS stored
ORDER BY x.stored, x.id
LIMIT $limit
