// Archive (or bring back) a chapter or a KP: kept with its answers, left out of maps and plans
OPTIONAL MATCH (c:Chapter {id: $id})
OPTIONAL MATCH (k:KnowledgePoint {id: $id})
WITH coalesce(c, k) AS n
WHERE n IS NOT NULL
SET n.archived = $archived
RETURN count(n) AS n
