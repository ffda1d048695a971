// A KP sits in exactly one chapter: a move drops the old IN_CHAPTER edge
UNWIND $rows AS r
MATCH (c:Chapter {id: r.chapter_id})
MERGE (k:KnowledgePoint {id: r.id})
SET k.name = r.name, k.description = r.description, k.dataset = r.dataset
MERGE (k)-[:IN_CHAPTER]->(c)
WITH k, c
OPTIONAL MATCH (k)-[old:IN_CHAPTER]->(other:Chapter)
WHERE other.id <> c.id
DELETE old
RETURN count(DISTINCT k) AS n
