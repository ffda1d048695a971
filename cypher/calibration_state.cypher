// Per course with answers (or only $dataset's, when given): how many its questions have, and
// how many there were at its last IRT refit (null: never refitted here), for the daily job that
// refits the courses due and for the Author page's state of one course
MATCH (q:Question)<-[a:ATTEMPTED]-(:Student)
WHERE $dataset IS NULL OR q.dataset = $dataset
WITH q.dataset AS dataset, count(a) AS answers
OPTIONAL MATCH (c:Calibration {id: dataset})
RETURN dataset, answers, c.answers AS fitted_answers, c.ts AS fitted_at,
       c.questions AS fitted_questions
ORDER BY dataset
