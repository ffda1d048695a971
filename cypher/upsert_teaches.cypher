UNWIND $rows AS r
MATCH (x:Resource {id: r.resource_id})
MATCH (k:KnowledgePoint {id: r.kp_id})
MERGE (x)-[t:TEACHES]->(k)
RETURN count(t) AS n
