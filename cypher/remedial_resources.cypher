// Resources teaching some KPs, for a learner who just answered wrongly: basic worked examples
// and videos first, then other worked examples and videos, then the rest (no support items)
UNWIND $kp_ids AS kid
MATCH (r:Resource)-[:TEACHES]->(:KnowledgePoint {id: kid})
WHERE r.kind <> 'support'
WITH DISTINCT r
WITH r, CASE WHEN r.kind IN ['worked_example', 'video'] THEN 0 ELSE 2 END
        + CASE WHEN r.level = 'basic' THEN 0 ELSE 1 END AS rank
RETURN r.id AS id, coalesce(r.title, '') AS title, r.kind AS kind, r.level AS level,
       coalesce(r.url, '') AS url
ORDER BY rank, id
LIMIT $limit
