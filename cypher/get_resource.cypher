// One resource as a student sees it, with the KPs it teaches (nothing when there is none)
MATCH (r:Resource {id: $resource_id})
OPTIONAL MATCH (r)-[:TEACHES]->(k:KnowledgePoint)
WITH r, k
ORDER BY k.id
RETURN r.id AS id, coalesce(r.title, '') AS title, coalesce(r.kind, '') AS kind,
       coalesce(r.level, '') AS level, coalesce(r.url, '') AS url, r.minutes AS minutes,
       coalesce(r.body, '') AS body, collect(k.id) AS kp_ids
