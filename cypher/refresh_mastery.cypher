// Bayesian Knowledge Tracing over each student's attempts on each KP, in history order:
// posterior on the answer (guess/slip), then the learning transition; the KP's own fitted
// parameters (kgtutor train bkt) where it has them, else the defaults passed in; the prior is
// the student's own where a placement test set one (PLACED), else the KP's, else the default.
// A row's question_ids, when given, limit it to the KPs those questions test: new answers move
// only those KPs' mastery (ingestion); null recomputes every KP of the student
UNWIND $rows AS row
MATCH (s:Student {id: row.student_id})
CALL {
  WITH row
  UNWIND coalesce(row.question_ids, []) AS question_id
  MATCH (:Question {id: question_id})-[:TESTS]->(only:KnowledgePoint)
  RETURN collect(DISTINCT only.id) AS kp_ids
}
MATCH (s)-[a:ATTEMPTED]->(:Question)-[:TESTS]->(k:KnowledgePoint)
WHERE row.question_ids IS NULL OR k.id IN kp_ids
WITH s, k, a
ORDER BY a.ts, a.seq
WITH s, k, collect(a.correct) AS answers, count(a) AS n, max(a.ts) AS last_ts
OPTIONAL MATCH (s)-[placed:PLACED]->(k)
WITH s, k, answers, n, last_ts, coalesce(placed.p, k.bkt_prior, $prior) AS prior,
     coalesce(k.bkt_learn, $learn) AS learn,
     coalesce(k.bkt_guess, $guess) AS guess, coalesce(k.bkt_slip, $slip) AS slip
WITH s, k, n, last_ts,
     reduce(p = prior, c IN answers |
       CASE WHEN c
         THEN p * (1 - slip) / (p * (1 - slip) + (1 - p) * guess)
         ELSE p * slip / (p * slip + (1 - p) * (1 - guess))
       END * (1 - learn) + learn) AS p_known
MERGE (s)-[m:MASTERY]->(k)
SET m.p = p_known, m.attempts = n, m.last_ts = last_ts
RETURN count(m) AS n
