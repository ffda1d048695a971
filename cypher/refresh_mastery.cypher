// Bayesian Knowledge Tracing over each student's attempts on each KP, in history order:
// posterior on the answer (guess/slip), then the learning transition; the KP's own fitted
// parameters (kgtutor train bkt) where it has them, else the defaults passed in
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})-[a:ATTEMPTED]->(:Question)-[:TESTS]->(k:KnowledgePoint)
WITH s, k, a
ORDER BY a.ts, a.seq
WITH s, k, collect(a.correct) AS answers, count(a) AS n, max(a.ts) AS last_ts
WITH s, k, answers, n, last_ts, coalesce(k.bkt_learn, $learn) AS learn,
     coalesce(k.bkt_guess, $guess) AS guess, coalesce(k.bkt_slip, $slip) AS slip
WITH s, k, n, last_ts,
     reduce(p = coalesce(k.bkt_prior, $prior), c IN answers |
       CASE WHEN c
         THEN p * (1 - slip) / (p * (1 - slip) + (1 - p) * guess)
         ELSE p * slip / (p * slip + (1 - p) * (1 - guess))
       END * (1 - learn) + learn) AS p_known
MERGE (s)-[m:MASTERY]->(k)
SET m.p = p_known, m.attempts = n, m.last_ts = last_ts
RETURN count(m) AS n
