// A course's prerequisite graph: each KP with the KPs it is a prerequisite of
MATCH (a:KnowledgePoint {dataset: $dataset})
OPTIONAL MATCH (a)-[:PREREQUISITE_OF]->(b:KnowledgePoint)
RETURN a.id AS id, collect(b.id) AS after
