MATCH (k:KnowledgePoint)-[:IN_CHAPTER]->(c:Chapter {id: $chapter_id})
OPTIONAL MATCH (q:Question)-[:TESTS]->(k)
RETURN k.id AS id, k.name AS name, k.description AS description, c.id AS chapter_id,
       count(q) AS questions
ORDER BY id
