// Every use of a course's resources, per KP the resource teaches, with the user's answers on
// that KP (epoch ms, right) from which the ranking reads what came before and after the use
MATCH (s:Student)-[u:USED]->(r:Resource)-[:TEACHES]->(k:KnowledgePoint)
WHERE r.dataset = $dataset
OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)-[:TESTS]->(k)
WITH r, k, s, u, collect([a.ts, a.correct]) AS answers
RETURN r.id AS resource_id, k.id AS kp_id, u.ts AS ts, answers
