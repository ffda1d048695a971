MATCH (s:Student {id: $student_id})-[m:MASTERY]->(k:KnowledgePoint)
RETURN k.id AS kp_id, m.p AS p, m.attempts AS attempts, m.last_ts AS last_ts
ORDER BY kp_id
