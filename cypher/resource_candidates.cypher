// What a plan may show, all of the course's at once (each API worker keeps it until the graph's
// cache version moves, and picks the plan's KPs from it): its emotional-support resources
// (kp_id ''), then every resource teaching one of its KPs, once per such KP
MATCH (r:Resource {kind: 'support'})
WHERE r.dataset = $dataset
RETURN r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       r.minutes AS minutes, '' AS kp_id
UNION ALL
MATCH (r:Resource)-[:TEACHES]->(k:KnowledgePoint)
WHERE r.dataset = $dataset AND r.kind <> 'support'
RETURN r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       r.minutes AS minutes, k.id AS kp_id
