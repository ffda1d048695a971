MATCH (a:KnowledgePoint)-[:PREREQUISITE_OF*1..]->(:KnowledgePoint {id: $kp_id})
RETURN DISTINCT a.id AS id, a.name AS name
ORDER BY id
