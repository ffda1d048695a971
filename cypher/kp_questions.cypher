// Questions testing a KP, basic ones first (without answers: this list is shown to learners)
MATCH (q:Question)-[:TESTS]->(:KnowledgePoint {id: $kp_id})
WHERE q.superseded_by IS NULL
WITH q, coalesce(q.level, 'standard') AS level
RETURN q.id AS id, coalesce(q.text, '') AS text, level
ORDER BY CASE level WHEN 'basic' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END, id
LIMIT $limit
