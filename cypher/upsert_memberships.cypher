UNWIND $rows AS r
MATCH (s:Student {id: r.student_id})
MATCH (c:Class {id: r.class_id})
MERGE (s)-[m:MEMBER_OF]->(c)
RETURN count(m) AS n
