// A question as a learner may see it (never its answer or explanation), with the KPs it
// tests, heaviest first
MATCH (q:Question {id: $question_id})
OPTIONAL MATCH (q)-[t:TESTS]->(k:KnowledgePoint)
WITH q, t, k
ORDER BY t.weight DESC, k.id
RETURN q.id AS id, coalesce(q.text, '') AS text, coalesce(q.options, []) AS options,
       coalesce(q.type, 'choice') AS type, coalesce(q.hints, []) AS hints,
       coalesce(q.level, 'standard') AS level, collect(k.id) AS kp_ids,
       collect(coalesce(k.name, '')) AS kp_names
