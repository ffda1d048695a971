// A course's KPs for the curriculum export, archived ones included
MATCH (k:KnowledgePoint {dataset: $dataset})
OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
RETURN k.id AS id, coalesce(k.name, '') AS name, coalesce(c.id, '') AS chapter_id,
       coalesce(k.description, '') AS description, coalesce(k.archived, false) AS archived
ORDER BY id
