// A course's resources for the curriculum export, with the KPs they teach
MATCH (r:Resource {dataset: $dataset})
OPTIONAL MATCH (r)-[:TEACHES]->(k:KnowledgePoint)
WITH r, k
ORDER BY k.id
RETURN r.id AS id, coalesce(r.title, '') AS title, coalesce(r.kind, 'reading') AS kind,
       coalesce(r.level, 'standard') AS level, coalesce(r.url, '') AS url,
       coalesce(r.body, '') AS body, r.minutes AS minutes, collect(k.id) AS kp_ids
ORDER BY id
