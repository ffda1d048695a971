// A tutor's prerequisite edge, or their confirmation of an inferred one (no longer inferred)
MATCH (a:KnowledgePoint {id: $before})
MATCH (b:KnowledgePoint {id: $after})
MERGE (a)-[p:PREREQUISITE_OF]->(b)
ON CREATE SET p.created_by = $who
SET p.inferred = false, p.confidence = 1.0, p.confirmed_by = $who
RETURN count(p) AS n
