// A course's chapters in order (archived ones left out), with their KPs (archived ones too)
MATCH (c:Chapter)
WHERE ($dataset IS NULL OR c.dataset = $dataset) AND NOT coalesce(c.archived, false)
OPTIONAL MATCH (k:KnowledgePoint)-[:IN_CHAPTER]->(c)
WHERE NOT coalesce(k.archived, false)
RETURN c.id AS id, c.name AS name, c.order AS order, c.area AS area, c.dataset AS dataset,
       count(k) AS kps
ORDER BY dataset, order, id
