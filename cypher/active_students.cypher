// Students who answered or reported a feeling since $since (epoch ms): the adjustment's scope
MATCH (s:Student)-[a:ATTEMPTED]->(:Question)
WHERE a.ts >= $since
RETURN DISTINCT s.id AS id
UNION
MATCH (s:Student)-[:FELT]->(e:AffectEvent)
WHERE e.ts >= $since
RETURN DISTINCT s.id AS id
