// The KPs each question tests, with their names and weights
UNWIND $ids AS qid
MATCH (q:Question {id: qid})-[t:TESTS]->(k:KnowledgePoint)
RETURN q.id AS question_id, k.id AS kp_id, coalesce(k.name, k.id) AS name,
       coalesce(t.weight, 1.0) AS weight
ORDER BY question_id, weight DESC, kp_id
