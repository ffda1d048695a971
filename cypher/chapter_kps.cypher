MATCH (k:KnowledgePoint)-[:IN_CHAPTER]->(c:Chapter {id: $chapter_id})
WHERE NOT coalesce(k.archived, false)
OPTIONAL MATCH (q:Question)-[:TESTS]->(k)
WHERE q.superseded_by IS NULL
RETURN k.id AS id, k.name AS name, k.description AS description, c.id AS chapter_id,
       count(q) AS questions
ORDER BY id
