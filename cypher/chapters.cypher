MATCH (c:Chapter)
WHERE $dataset IS NULL OR c.dataset = $dataset
OPTIONAL MATCH (k:KnowledgePoint)-[:IN_CHAPTER]->(c)
RETURN c.id AS id, c.name AS name, c.order AS order, c.area AS area, c.dataset AS dataset,
       count(k) AS kps
ORDER BY dataset, order, id
