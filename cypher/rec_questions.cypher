// The recommender's view of a dataset's questions: KPs tested, IRT parameters, level; the
// current versions only, on KPs not archived
MATCH (q:Question {dataset: $dataset})-[:TESTS]->(k:KnowledgePoint)
WHERE q.superseded_by IS NULL AND NOT coalesce(k.archived, false)
RETURN q.id AS id, collect(k.id) AS kp_ids, q.irt_a AS a, q.irt_b AS b, q.level AS level
ORDER BY id
