// The recommender's view of a dataset's KPs: curriculum order and prerequisites
MATCH (k:KnowledgePoint {dataset: $dataset})
OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
OPTIONAL MATCH (p:KnowledgePoint)-[:PREREQUISITE_OF]->(k)
RETURN k.id AS id, k.name AS name, coalesce(c.order, 0) AS chapter_order,
       collect(p.id) AS prerequisites
ORDER BY chapter_order, id
