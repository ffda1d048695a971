// The recommender's view of a dataset's questions: KPs tested, IRT parameters, level
MATCH (q:Question {dataset: $dataset})-[:TESTS]->(k:KnowledgePoint)
RETURN q.id AS id, collect(k.id) AS kp_ids, q.irt_a AS a, q.irt_b AS b, q.level AS level
ORDER BY id
