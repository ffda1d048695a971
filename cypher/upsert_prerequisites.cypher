UNWIND $rows AS r
MATCH (a:KnowledgePoint {id: r.before})
MATCH (b:KnowledgePoint {id: r.after})
MERGE (a)-[p:PREREQUISITE_OF]->(b)
SET p.inferred = r.inferred, p.confidence = r.confidence
RETURN count(p) AS n
