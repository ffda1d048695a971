// Students who answered, reported a feeling or sent xAPI activity since $since (epoch ms): the
// adjustment's scope
MATCH (s:Student)-[a:ATTEMPTED]->(:Question)
WHERE a.ts >= $since
RETURN DISTINCT s.id AS id
UNION
MATCH (s:Student)-[:FELT]->(e:AffectEvent)
WHERE e.ts >= $since
RETURN DISTINCT s.id AS id
UNION
MATCH (s:Student)
WHERE s.last_activity >= $since
RETURN DISTINCT s.id AS id
