// The gradable questions (with an answer key) of each scope, a KP or a chapter, with the KP
// they test most and their 2PL parameters (null until `kgtutor train irt` fitted them)
UNWIND $scope_ids AS sid
OPTIONAL MATCH (k:KnowledgePoint {id: sid})
OPTIONAL MATCH (kc:KnowledgePoint)-[:IN_CHAPTER]->(:Chapter {id: sid})
WITH sid, collect(k) + collect(kc) AS kps
UNWIND kps AS k
MATCH (q:Question)-[t:TESTS]->(k)
WHERE coalesce(q.answer, '') <> '' AND q.superseded_by IS NULL
WITH sid, q, k, t
ORDER BY t.weight DESC, k.id
WITH sid, q, collect(k.id)[0] AS kp_id
RETURN sid AS scope_id, q.id AS id, kp_id, coalesce(q.dataset, '') AS dataset,
       q.irt_a AS a, q.irt_b AS b, coalesce(q.irt_responses, 0) AS responses,
       coalesce(q.level, 'standard') AS level
ORDER BY scope_id, id
