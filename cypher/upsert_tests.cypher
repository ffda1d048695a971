UNWIND $rows AS r
MATCH (q:Question {id: r.question_id})
MATCH (k:KnowledgePoint {id: r.kp_id})
MERGE (q)-[t:TESTS]->(k)
SET t.weight = r.weight
RETURN count(t) AS n
