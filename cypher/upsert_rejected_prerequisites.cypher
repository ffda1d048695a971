// Source edges kept out of the prerequisite graph (self-loops, cycle breakers), for review
UNWIND $rows AS r
MATCH (a:KnowledgePoint {id: r.before})
MATCH (b:KnowledgePoint {id: r.after})
MERGE (a)-[x:REJECTED_PREREQUISITE]->(b)
SET x.reason = r.reason
RETURN count(x) AS n
