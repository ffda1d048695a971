// A course's prerequisite edges for the curriculum export
MATCH (a:KnowledgePoint {dataset: $dataset})-[p:PREREQUISITE_OF]->(b:KnowledgePoint)
RETURN a.id AS before, b.id AS after, coalesce(p.inferred, false) AS inferred,
       coalesce(p.confidence, 1.0) AS confidence
ORDER BY before, after
