// Per KP of every dataset: how many students answered it and how many of them got their first
// answer on it (history order) right; the population prior's input (services/priors.py).
// A KP nobody answered comes back with 0 students
MATCH (k:KnowledgePoint)
OPTIONAL MATCH (k)<-[:TESTS]-(:Question)<-[a:ATTEMPTED]-(s:Student)
WITH k, s, a
ORDER BY a.ts, a.seq
WITH k, s, collect(a.correct)[0] AS first
RETURN k.dataset AS dataset, k.id AS kp_id, count(s) AS students,
       sum(CASE WHEN first THEN 1 ELSE 0 END) AS right
ORDER BY dataset, kp_id
