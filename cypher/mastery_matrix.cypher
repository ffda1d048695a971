// Every student's mastery in a dataset: the matrix of the KP collaborative filtering
MATCH (s:Student {dataset: $dataset})-[m:MASTERY]->(k:KnowledgePoint)
RETURN s.id AS student_id, k.id AS kp_id, m.p AS p
ORDER BY student_id, kp_id
