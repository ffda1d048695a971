// 2PL item parameters from the last IRT fit (discrimination a, difficulty b, responses seen)
UNWIND $rows AS r
MATCH (q:Question {id: r.id})
SET q.irt_a = r.a, q.irt_b = r.b, q.irt_responses = r.responses
RETURN count(q) AS n
