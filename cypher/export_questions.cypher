// A course's questions for the curriculum export, every version, with their keys and the KPs
// they test (heaviest first)
MATCH (q:Question {dataset: $dataset})
OPTIONAL MATCH (q)-[t:TESTS]->(k:KnowledgePoint)
WITH q, t, k
ORDER BY t.weight DESC, k.id
WITH q, collect(k.id) AS kp_ids, collect(t.weight) AS weights
RETURN q.id AS id, coalesce(q.text, '') AS stem, coalesce(q.type, 'choice') AS type,
       coalesce(q.options, []) AS choices, coalesce(q.answer, '') AS answer,
       coalesce(q.tolerance, 0.0) AS tolerance, coalesce(q.explanation, '') AS explanation,
       coalesce(q.hints, []) AS hints, coalesce(q.level, 'standard') AS level,
       coalesce(q.tags, []) AS tags, kp_ids, weights, coalesce(q.version, 1) AS version,
       coalesce(q.base_id, q.id) AS base_id, q.superseded_by AS superseded_by
ORDER BY id
