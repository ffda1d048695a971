// Bayesian Knowledge Tracing over each student's attempts on each KP, in history order:
// posterior on the answer (guess/slip), then the learning transition
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})-[a:ATTEMPTED]->(:Question)-[:TESTS]->(k:KnowledgePoint)
WITH s, k, a
ORDER BY a.ts, a.seq
WITH s, k, collect(a.correct) AS answers, count(a) AS n, max(a.ts) AS last_ts
WITH s, k, n, last_ts,
     reduce(p = $prior, c IN answers |
       CASE WHEN c
         THEN p * (1 - $slip) / (p * (1 - $slip) + (1 - p) * $guess)
         ELSE p * $slip / (p * $slip + (1 - p) * (1 - $guess))
       END * (1 - $learn) + $learn) AS p_known
MERGE (s)-[m:MASTERY]->(k)
SET m.p = p_known, m.attempts = n, m.last_ts = last_ts
RETURN count(m) AS n
