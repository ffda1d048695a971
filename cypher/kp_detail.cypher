// One KP with its chapter and its direct prerequisites (learn before) and unlocks (learn after)
MATCH (k:KnowledgePoint {id: $kp_id})
OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
OPTIONAL MATCH (pre:KnowledgePoint)-[:PREREQUISITE_OF]->(k)
WITH k, c, collect(DISTINCT pre.id) AS prerequisites
OPTIONAL MATCH (k)-[:PREREQUISITE_OF]->(post:KnowledgePoint)
RETURN k.id AS id, coalesce(k.name, '') AS name, coalesce(k.description, '') AS description,
       coalesce(c.id, '') AS chapter_id, prerequisites,
       collect(DISTINCT post.id) AS unlocks
