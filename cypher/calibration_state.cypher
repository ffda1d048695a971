// Per course with answers: how many its questions have, and how many there were at its last
// IRT refit (null: never refitted here), for the daily job that refits the courses due
MATCH (q:Question)<-[a:ATTEMPTED]-(:Student)
WITH q.dataset AS dataset, count(a) AS answers
OPTIONAL MATCH (c:Calibration {id: dataset})
RETURN dataset, answers, c.answers AS fitted_answers, c.ts AS fitted_at,
       c.questions AS fitted_questions
ORDER BY dataset
