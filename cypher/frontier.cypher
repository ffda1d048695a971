// KPs of the student's dataset not yet mastered whose every prerequisite is mastered (p >= threshold)
MATCH (s:Student {id: $student_id})
MATCH (k:KnowledgePoint {dataset: s.dataset})
OPTIONAL MATCH (s)-[m:MASTERY]->(k)
WITH s, k, m
WHERE m IS NULL OR m.p < $threshold
OPTIONAL MATCH (pre:KnowledgePoint)-[:PREREQUISITE_OF]->(k)
OPTIONAL MATCH (s)-[pm:MASTERY]->(pre)
WITH k, m, collect(pre.id) AS prerequisites,
     collect(CASE WHEN pm.p >= $threshold THEN pre.id END) AS mastered
WHERE size(prerequisites) = size(mastered)
RETURN k.id AS id, k.name AS name, coalesce(m.p, 0.0) AS p, prerequisites
ORDER BY id
