UNWIND $rows AS r
MATCH (t:Tutor {id: r.tutor_id})
MATCH (c:Class {id: r.class_id})
MERGE (t)-[x:TEACHES]->(c)
RETURN count(x) AS n
