// Text of a dataset's questions with the names and ids of the KPs they test (similarity index)
MATCH (q:Question {dataset: $dataset})
OPTIONAL MATCH (q)-[:TESTS]->(k:KnowledgePoint)
RETURN q.id AS id, q.text AS text, q.explanation AS extra, collect(k.name) AS kp_names,
       collect(k.id) AS kp_ids
ORDER BY id
