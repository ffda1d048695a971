// Emotional-support resources of a dataset (motivation, breaks, counselling information)
MATCH (r:Resource {kind: 'support'})
WHERE r.dataset = $dataset
RETURN r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       '' AS kp_id
ORDER BY id
