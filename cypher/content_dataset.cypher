// The dataset of a chapter, KP, question or resource by id, and which kind it is (no row: none)
OPTIONAL MATCH (c:Chapter {id: $id})
OPTIONAL MATCH (k:KnowledgePoint {id: $id})
OPTIONAL MATCH (q:Question {id: $id})
OPTIONAL MATCH (r:Resource {id: $id})
WITH coalesce(c.dataset, k.dataset, q.dataset, r.dataset) AS dataset,
     CASE WHEN c IS NOT NULL THEN 'chapter' WHEN k IS NOT NULL THEN 'kp'
          WHEN q IS NOT NULL THEN 'question' WHEN r IS NOT NULL THEN 'resource' END AS kind
WHERE kind IS NOT NULL
RETURN dataset, kind
