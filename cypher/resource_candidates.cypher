// What a plan may show: the course's emotional-support resources (kp_id ''), then every
// resource teaching one of $kp_ids, once per such KP (the ranking picks and orders them)
MATCH (r:Resource {kind: 'support'})
WHERE r.dataset = $dataset
RETURN r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       r.minutes AS minutes, '' AS kp_id
UNION ALL
MATCH (r:Resource)-[:TEACHES]->(k:KnowledgePoint)
WHERE k.id IN $kp_ids AND r.kind <> 'support'
RETURN r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       r.minutes AS minutes, k.id AS kp_id
