// Attempts per KP across all students of a dataset (cold-start popularity)
MATCH (k:KnowledgePoint {dataset: $dataset})<-[:TESTS]-(:Question)<-[a:ATTEMPTED]-(:Student)
RETURN k.id AS id, count(a) AS attempts
ORDER BY id
