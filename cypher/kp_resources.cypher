// Resources teaching any of some KPs, optionally of given kinds and levels (empty list: any),
// basic ones first: what a plan shows beside its questions
UNWIND $kp_ids AS kid
MATCH (r:Resource)-[:TEACHES]->(:KnowledgePoint {id: kid})
WHERE (size($kinds) = 0 OR r.kind IN $kinds) AND (size($levels) = 0 OR r.level IN $levels)
RETURN DISTINCT r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       kid AS kp_id
ORDER BY CASE level WHEN 'basic' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END, id
