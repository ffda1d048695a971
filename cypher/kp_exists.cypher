MATCH (k:KnowledgePoint {id: $kp_id})
RETURN k.id AS id, k.name AS name
