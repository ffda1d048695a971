// Mean over the class's students who have practised the KP, and how many have
MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $class_id})
MATCH (s)-[m:MASTERY]->(k:KnowledgePoint)
RETURN k.id AS kp_id, avg(m.p) AS p, sum(m.attempts) AS attempts, max(m.last_ts) AS last_ts,
       count(s) AS students
ORDER BY kp_id
